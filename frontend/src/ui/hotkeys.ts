// Maps key presses on the viewer page to actions (tools, fit, slices, undo/redo, label hotkeys).
import type { Label } from '../api/types';

export const TOOL_HOTKEY = 'b';

export type HotkeyAction =
  | { type: 'toggle-tool' }
  | { type: 'leave-tool' }
  | { type: 'undo' }
  | { type: 'redo' }
  | { type: 'label'; id: number }
  | { type: 'window-level' }
  | { type: 'length' }
  | { type: 'fit' }
  | { type: 'slice'; step: number };

/** Viewer keys of UI.md beside the box tool's; they win over a label hotkey on the same key. */
const VIEW_KEYS: Record<string, HotkeyAction> = {
  w: { type: 'window-level' },
  d: { type: 'length' },
  Home: { type: 'fit' },
  ArrowUp: { type: 'slice', step: -1 },
  PageUp: { type: 'slice', step: -1 },
  ArrowDown: { type: 'slice', step: 1 },
  PageDown: { type: 'slice', step: 1 },
};

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
  target: EventTarget | null;
}

/** Typing into a text field must never trigger shortcuts; a focused <select> may. */
function isTextField(target: EventTarget | null): boolean {
  if (typeof Element === 'undefined' || !(target instanceof Element)) return false;
  if (target instanceof HTMLTextAreaElement) return true;
  if (target instanceof HTMLInputElement) return !['button', 'checkbox', 'radio', 'submit', 'reset'].includes(target.type);
  return target instanceof HTMLElement && target.isContentEditable;
}

function isSelect(target: EventTarget | null): boolean {
  return typeof HTMLSelectElement !== 'undefined' && target instanceof HTMLSelectElement;
}

export function hotkeyAction(e: KeyLike, labels: readonly Label[]): HotkeyAction | null {
  if (isTextField(e.target)) return null;
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  if (e.ctrlKey || e.metaKey) {
    if (e.altKey) return null;
    if (key === 'z') return e.shiftKey ? { type: 'redo' } : { type: 'undo' };
    if (key === 'y' && !e.shiftKey) return { type: 'redo' };
    return null;
  }
  if (e.altKey) return null;
  if (key === 'Escape') return { type: 'leave-tool' };
  if (key === TOOL_HOTKEY) return { type: 'toggle-tool' };
  const view = VIEW_KEYS[key];
  // Arrow keys on a focused <select> change its option, not the slice.
  if (view && !(view.type === 'slice' && key.startsWith('Arrow') && isSelect(e.target))) return view;
  const label = labels.find((l) => l.hotkey && l.hotkey.toLowerCase() === key);
  return label ? { type: 'label', id: label.id } : null;
}
