// Tests for viewer keyboard shortcuts.
// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import type { Label } from '../src/api/types';
import { hotkeyAction, type KeyLike } from '../src/ui/hotkeys';

const labels: Label[] = [
  { id: 1, name: 'Tumour', color: '#ff0000', kind: 'bbox', hotkey: '1', attributes: [] },
  { id: 2, name: 'Necrosis', color: '#00ff00', kind: 'bbox', hotkey: 'N', attributes: [] },
];

function key(k: string, extra: Partial<KeyLike> = {}): KeyLike {
  return { key: k, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, target: document.body, ...extra };
}

describe('hotkeyAction', () => {
  it('toggles the box tool with b or B and leaves it with Escape', () => {
    expect(hotkeyAction(key('b'), labels)).toEqual({ type: 'toggle-tool' });
    expect(hotkeyAction(key('B', { shiftKey: true }), labels)).toEqual({ type: 'toggle-tool' });
    expect(hotkeyAction(key('Escape'), labels)).toEqual({ type: 'leave-tool' });
  });

  it('maps undo and redo chords', () => {
    expect(hotkeyAction(key('z', { ctrlKey: true }), labels)).toEqual({ type: 'undo' });
    expect(hotkeyAction(key('z', { metaKey: true }), labels)).toEqual({ type: 'undo' });
    expect(hotkeyAction(key('Z', { ctrlKey: true, shiftKey: true }), labels)).toEqual({ type: 'redo' });
    expect(hotkeyAction(key('y', { ctrlKey: true }), labels)).toEqual({ type: 'redo' });
    expect(hotkeyAction(key('b', { ctrlKey: true }), labels)).toBeNull();
  });

  it('selects labels by their hotkey, case-insensitively', () => {
    expect(hotkeyAction(key('1'), labels)).toEqual({ type: 'label', id: 1 });
    expect(hotkeyAction(key('n'), labels)).toEqual({ type: 'label', id: 2 });
    expect(hotkeyAction(key('q'), labels)).toBeNull();
  });

  it('ignores keys typed into text fields but not a focused select', () => {
    const input = document.createElement('input');
    const textarea = document.createElement('textarea');
    const select = document.createElement('select');
    expect(hotkeyAction(key('b', { target: input }), labels)).toBeNull();
    expect(hotkeyAction(key('z', { target: textarea, ctrlKey: true }), labels)).toBeNull();
    expect(hotkeyAction(key('b', { target: select }), labels)).toEqual({ type: 'toggle-tool' });
  });
});

describe('viewer keys', () => {
  it('maps W, D, Home and the slice keys of UI.md', () => {
    expect(hotkeyAction(key('w'), labels)).toEqual({ type: 'window-level' });
    expect(hotkeyAction(key('D', { shiftKey: true }), labels)).toEqual({ type: 'length' });
    expect(hotkeyAction(key('Home'), labels)).toEqual({ type: 'fit' });
    expect(hotkeyAction(key('ArrowUp'), labels)).toEqual({ type: 'slice', step: -1 });
    expect(hotkeyAction(key('PageUp'), labels)).toEqual({ type: 'slice', step: -1 });
    expect(hotkeyAction(key('ArrowDown'), labels)).toEqual({ type: 'slice', step: 1 });
    expect(hotkeyAction(key('PageDown'), labels)).toEqual({ type: 'slice', step: 1 });
  });

  it('lets a focused select keep its arrow keys, and tool keys win over a label on the same key', () => {
    const select = document.createElement('select');
    expect(hotkeyAction(key('ArrowDown', { target: select }), labels)).toBeNull();
    expect(hotkeyAction(key('PageDown', { target: select }), labels)).toEqual({ type: 'slice', step: 1 });
    const clash: Label[] = [{ id: 3, name: 'Duct', color: '#0000ff', kind: 'bbox', hotkey: 'd', attributes: [] }];
    expect(hotkeyAction(key('d'), clash)).toEqual({ type: 'length' });
  });
});
