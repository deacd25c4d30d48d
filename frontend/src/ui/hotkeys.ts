// Maps key presses on the viewer page to actions (tools, fit, slices, undo/redo, delete, interpolate, labels).
import type { Label } from '../api/types';
import { HELP_KEY } from './helpOverlay';

export type HotkeyAction =
  | { type: 'tool'; name: string }
  | { type: 'leave-tool' }
  | { type: 'undo' }
  | { type: 'redo' }
  | { type: 'delete' }
  | { type: 'interpolate' }
  | { type: 'help' }
  | { type: 'label'; id: number }
  | { type: 'window-level' }
  | { type: 'length' }
  | { type: 'fit' }
  | { type: 'slice'; step: number };

/** Viewer keys of UI.md beside the drawing tools'; they win over a label hotkey on the same key. */
const VIEW_KEYS: Record<string, HotkeyAction> = {
  w: { type: 'window-level' },
  d: { type: 'length' },
  i: { type: 'interpolate' },
  Home: { type: 'fit' },
  Delete: { type: 'delete' },
  Backspace: { type: 'delete' },
  ArrowUp: { type: 'slice', step: -1 },
  PageUp: { type: 'slice', step: -1 },
  ArrowDown: { type: 'slice', step: 1 },
  PageDown: { type: 'slice', step: 1 },
  [HELP_KEY]: { type: 'help' },
};

/** Actions that only look: they work on read-only images too. */
export const VIEWING_ACTIONS: ReadonlySet<HotkeyAction['type']> = new Set(['leave-tool', 'window-level', 'length', 'fit', 'slice', 'help']);

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
  target: EventTarget | null;
}

/** What the keys can reach: the tools' default keys (lower case → tool name) and the project's labels in order. */
export interface KeyMap {
  readonly tools: ReadonlyMap<string, string>;
  readonly labels: readonly Label[];
}

/** Typing into a text field must never trigger shortcuts; a focused <select> may. */
export function isTextField(target: EventTarget | null): boolean {
  if (typeof Element === 'undefined' || !(target instanceof Element)) return false;
  if (target instanceof HTMLTextAreaElement) return true;
  if (target instanceof HTMLInputElement) return !['button', 'checkbox', 'radio', 'submit', 'reset', 'range'].includes(target.type);
  return target instanceof HTMLElement && target.isContentEditable;
}

function isSelect(target: EventTarget | null): boolean {
  return typeof HTMLSelectElement !== 'undefined' && target instanceof HTMLSelectElement;
}

export function hotkeyAction(e: KeyLike, map: KeyMap): HotkeyAction | null {
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
  const tool = map.tools.get(key);
  if (tool) return { type: 'tool', name: tool };
  const view = VIEW_KEYS[e.key] ?? VIEW_KEYS[key];
  // Arrow keys on a focused <select> change its option, not the slice.
  if (view && !(view.type === 'slice' && key.startsWith('Arrow') && isSelect(e.target))) return view;
  // 1–9: the first nine labels of the project in order.
  if (/^[1-9]$/.test(key)) {
    const nth = map.labels[Number(key) - 1];
    if (nth) return { type: 'label', id: nth.id };
  }
  const label = map.labels.find((l) => l.hotkey && l.hotkey.toLowerCase() === key);
  return label ? { type: 'label', id: label.id } : null;
}
