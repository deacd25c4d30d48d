// Pure, immutable undo/redo stack: callers perform side effects and commit the new state on success.

export interface History<T> {
  /** Done entries, oldest first; the last one is undone next. */
  readonly past: readonly T[];
  /** Undone entries, most recently undone last; the last one is redone next. */
  readonly future: readonly T[];
  /** Maximum number of entries kept in `past`. */
  readonly limit: number;
}

export interface Step<T> {
  history: History<T>;
  /** The entry to undo/redo, or undefined when there was nothing to do. */
  entry: T | undefined;
}

export function createHistory<T>(limit = 100): History<T> {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError('history limit must be a positive integer');
  return { past: [], future: [], limit };
}

/** Record a newly performed action; this discards everything that could have been redone. */
export function push<T>(history: History<T>, entry: T): History<T> {
  const past = [...history.past, entry];
  return { ...history, past: past.slice(Math.max(0, past.length - history.limit)), future: [] };
}

export function canUndo<T>(history: History<T>): boolean {
  return history.past.length > 0;
}

export function canRedo<T>(history: History<T>): boolean {
  return history.future.length > 0;
}

/** Move the latest entry from past to future. The caller reverts `entry`. */
export function undo<T>(history: History<T>): Step<T> {
  const entry = history.past[history.past.length - 1];
  if (entry === undefined) return { history, entry: undefined };
  return {
    history: { ...history, past: history.past.slice(0, -1), future: [...history.future, entry] },
    entry,
  };
}

/** Move the latest undone entry back to past. The caller re-applies `entry`. */
export function redo<T>(history: History<T>): Step<T> {
  const entry = history.future[history.future.length - 1];
  if (entry === undefined) return { history, entry: undefined };
  return {
    history: { ...history, past: [...history.past, entry], future: history.future.slice(0, -1) },
    entry,
  };
}

/**
 * Rewrite every entry (past and future), e.g. to point at the new id of an object
 * that was re-created by an undo or redo.
 */
export function mapEntries<T>(history: History<T>, fn: (entry: T) => T): History<T> {
  return { ...history, past: history.past.map(fn), future: history.future.map(fn) };
}

export function clear<T>(history: History<T>): History<T> {
  return { ...history, past: [], future: [] };
}
