// The Help overlay lists every key: the registry's tools plus the static table, and closes on Escape or Close.
// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import type { Label } from '../../src/api/types';
import { defaultTools } from '../../src/tools/index';
import { HelpOverlay, shortcuts, STATIC_SHORTCUTS } from '../../src/ui/helpOverlay';

const labels: Label[] = [{ id: 1, name: 'Liver', color: '#aa0000', kind: 'polygon', hotkey: 'q', attributes: [] }];

function rowsShown(): string[] {
  return [...document.querySelectorAll('[role=dialog] tbody tr')].map((tr) => {
    const [keys, action] = tr.querySelectorAll('td');
    return `${keys!.textContent} = ${action!.textContent}`;
  });
}

describe('HelpOverlay', () => {
  afterEach(() => document.body.replaceChildren());

  it('lists every registered tool with its key, then the static keys, then label hotkeys', () => {
    const tools = defaultTools();
    const rows = shortcuts(tools, labels);
    expect(rows.slice(0, tools.all().length).map((r) => `${r.keys.join()} ${r.action}`)).toEqual(
      tools.all().map((t) => `${t.key.toUpperCase()} ${t.name}`),
    );
    expect(rows.map((r) => r.action)).toEqual(
      expect.arrayContaining(['Select', 'Box', 'Polygon', 'Polyline', 'Point', 'Brush', 'Eraser', 'Undo', 'Redo', 'Label Liver']),
    );
    expect(rows).toHaveLength(tools.all().length + STATIC_SHORTCUTS.length + 1);
  });

  it('the Help button opens a dialog named "Keyboard shortcuts"; Close and Escape close it', () => {
    const help = new HelpOverlay(document.body, () => shortcuts(defaultTools(), labels));
    document.body.appendChild(help.button);
    expect(help.button.textContent).toBe('Help');
    help.button.focus();
    help.button.click();
    const dialog = document.querySelector('[role=dialog]')!;
    expect(document.getElementById(dialog.getAttribute('aria-labelledby')!)!.textContent).toBe('Keyboard shortcuts');
    const shown = rowsShown();
    expect(shown).toContain('B = Box');
    expect(shown).toContain('Ctrl+Shift+Z or Ctrl+Y = Redo');
    expect(shown).toContain('[ or ] = Brush and eraser size: smaller, larger');
    expect(shown).toContain('Home = Fit: whole image in view');
    expect(shown).toContain('q = Label Liver');
    expect(dialog.querySelectorAll('kbd').length).toBeGreaterThan(shown.length);
    [...dialog.querySelectorAll('button')].find((b) => b.textContent === 'Close')!.click();
    expect(document.querySelector('[role=dialog]')).toBeNull();
    expect(document.activeElement).toBe(help.button);

    help.toggle();
    document.querySelector('[role=dialog] button')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    expect(help.isOpen).toBe(false);
    help.toggle();
    document.querySelector('[role=dialog] button')!.dispatchEvent(new KeyboardEvent('keydown', { key: '?', bubbles: true }));
    expect(help.isOpen).toBe(false);
  });
});
