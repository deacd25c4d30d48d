// Tests for viewer keyboard shortcuts: tools from the registry, UI.md's viewer keys, labels 1–9 and hotkeys.
// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import type { Label } from '../src/api/types';
import { defaultTools } from '../src/tools/index';
import { hotkeyAction, type KeyLike, type KeyMap } from '../src/ui/hotkeys';

const labels: Label[] = [
  { id: 1, name: 'Tumour', color: '#ff0000', kind: 'bbox', hotkey: null, attributes: [] },
  { id: 2, name: 'Necrosis', color: '#00ff00', kind: 'polygon', hotkey: 'N', attributes: [] },
  { id: 3, name: 'Duct', color: '#0000ff', kind: 'bbox', hotkey: 'd', attributes: [] },
];
const map: KeyMap = { tools: new Map(defaultTools().all().map((d) => [d.key, d.name])), labels };

function key(k: string, extra: Partial<KeyLike> = {}): KeyLike {
  return { key: k, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, target: document.body, ...extra };
}

describe('hotkeyAction', () => {
  it('picks every tool of the registry by its UI.md key, in either case', () => {
    const want: Record<string, string> = { v: 'Select', b: 'Box', p: 'Polygon', l: 'Polyline', o: 'Point', m: 'Brush', e: 'Eraser' };
    for (const [k, name] of Object.entries(want)) {
      expect(hotkeyAction(key(k), map)).toEqual({ type: 'tool', name });
      expect(hotkeyAction(key(k.toUpperCase(), { shiftKey: true }), map)).toEqual({ type: 'tool', name });
    }
    expect(hotkeyAction(key('Escape'), map)).toEqual({ type: 'leave-tool' });
  });

  it('maps undo and redo chords', () => {
    expect(hotkeyAction(key('z', { ctrlKey: true }), map)).toEqual({ type: 'undo' });
    expect(hotkeyAction(key('z', { metaKey: true }), map)).toEqual({ type: 'undo' });
    expect(hotkeyAction(key('Z', { ctrlKey: true, shiftKey: true }), map)).toEqual({ type: 'redo' });
    expect(hotkeyAction(key('y', { ctrlKey: true }), map)).toEqual({ type: 'redo' });
    expect(hotkeyAction(key('b', { ctrlKey: true }), map)).toBeNull();
    expect(hotkeyAction(key('z', { ctrlKey: true, altKey: true }), map)).toBeNull();
  });

  it('picks the first nine labels with 1–9 and labels by their own hotkey, case-insensitively', () => {
    expect(hotkeyAction(key('1'), map)).toEqual({ type: 'label', id: 1 });
    expect(hotkeyAction(key('3'), map)).toEqual({ type: 'label', id: 3 });
    expect(hotkeyAction(key('4'), map)).toBeNull();
    expect(hotkeyAction(key('n'), map)).toEqual({ type: 'label', id: 2 });
    expect(hotkeyAction(key('q'), map)).toBeNull();
  });

  it('ignores keys typed into text fields but not a focused select, checkbox or slider', () => {
    const input = document.createElement('input');
    const textarea = document.createElement('textarea');
    const select = document.createElement('select');
    const slider = Object.assign(document.createElement('input'), { type: 'range' });
    expect(hotkeyAction(key('b', { target: input }), map)).toBeNull();
    expect(hotkeyAction(key('z', { target: textarea, ctrlKey: true }), map)).toBeNull();
    expect(hotkeyAction(key('b', { target: select }), map)).toEqual({ type: 'tool', name: 'Box' });
    expect(hotkeyAction(key('Delete', { target: slider }), map)).toEqual({ type: 'delete' });
  });
});

describe('viewer keys', () => {
  it('maps W, D, I, Home, Delete, ? and the slice keys of UI.md', () => {
    expect(hotkeyAction(key('w'), map)).toEqual({ type: 'window-level' });
    expect(hotkeyAction(key('i'), map)).toEqual({ type: 'interpolate' });
    expect(hotkeyAction(key('Home'), map)).toEqual({ type: 'fit' });
    expect(hotkeyAction(key('Delete'), map)).toEqual({ type: 'delete' });
    expect(hotkeyAction(key('Backspace'), map)).toEqual({ type: 'delete' });
    expect(hotkeyAction(key('?', { shiftKey: true }), map)).toEqual({ type: 'help' });
    expect(hotkeyAction(key('ArrowUp'), map)).toEqual({ type: 'slice', step: -1 });
    expect(hotkeyAction(key('PageUp'), map)).toEqual({ type: 'slice', step: -1 });
    expect(hotkeyAction(key('ArrowDown'), map)).toEqual({ type: 'slice', step: 1 });
    expect(hotkeyAction(key('PageDown'), map)).toEqual({ type: 'slice', step: 1 });
  });

  it('lets a focused select keep its arrow keys, and viewer keys win over a label on the same key', () => {
    const select = document.createElement('select');
    expect(hotkeyAction(key('ArrowDown', { target: select }), map)).toBeNull();
    expect(hotkeyAction(key('PageDown', { target: select }), map)).toEqual({ type: 'slice', step: 1 });
    expect(hotkeyAction(key('D', { shiftKey: true }), map)).toEqual({ type: 'length' }); // Duct's own key is d
  });
});
