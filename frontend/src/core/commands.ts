// The one undo/redo stack of the labeling screen: every change is a command of before/after states by key.
import { canRedo, canUndo, clear, createHistory, push, redo, undo, type History } from './history';
import { newKey, stateOf, type AnnotationState, type AnnotationStore } from './store';

/** One record's state before and after (null: it does not exist), addressed by client key, not server id. */
export interface Change {
  readonly key: string;
  readonly before: AnnotationState | null;
  readonly after: AnnotationState | null;
}

/**
 * A user action. Keys instead of server ids make undo work after the server assigned ids and versions:
 * the store keeps each key's current id/version, and the save queue sends whatever the key maps to then.
 */
export interface Command {
  readonly name: string;
  readonly changes: readonly Change[];
}

export function createCommand(state: AnnotationState, key: string = newKey(), name = 'Create'): Command {
  return { name, changes: [{ key, before: null, after: state }] };
}

export function editCommand(store: AnnotationStore, key: string, after: AnnotationState, name = 'Edit'): Command {
  const current = store.get(key);
  if (!current) throw new Error(`no annotation ${key} to edit`);
  return { name, changes: [{ key, before: stateOf(current), after }] };
}

/** Change some fields of a record (geometry, attributes, label, frame). */
export function updateCommand(
  store: AnnotationStore,
  key: string,
  fields: Partial<AnnotationState>,
  name = 'Edit',
): Command {
  const current = store.get(key);
  if (!current) throw new Error(`no annotation ${key} to edit`);
  return editCommand(store, key, { ...stateOf(current), ...fields }, name);
}

export function deleteCommand(store: AnnotationStore, keys: readonly string[], name = 'Delete'): Command {
  const changes = keys.flatMap((key) => {
    const current = store.get(key);
    return current ? [{ key, before: stateOf(current), after: null }] : [];
  });
  return { name, changes };
}

/** Many commands as one undo step (multi-shape moves, interpolation, a union that replaces shapes). */
export function batchCommand(name: string, commands: readonly Command[]): Command {
  return { name, changes: commands.flatMap((c) => c.changes) };
}

export class CommandStack {
  private history: History<Command>;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly store: AnnotationStore,
    limit = 200,
  ) {
    this.history = createHistory<Command>(limit);
  }

  get canUndo(): boolean {
    return canUndo(this.history);
  }

  get canRedo(): boolean {
    return canRedo(this.history);
  }

  /** Name of what Undo would revert, for tooltips ("Undo Delete"). */
  get undoName(): string | undefined {
    return this.history.past[this.history.past.length - 1]?.name;
  }

  get redoName(): string | undefined {
    return this.history.future[this.history.future.length - 1]?.name;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  execute(command: Command): void {
    if (command.changes.length === 0) return;
    this.store.apply(command.changes.map((c) => ({ key: c.key, state: c.after })));
    this.history = push(this.history, command);
    this.notify();
  }

  undo(): Command | undefined {
    const step = undo(this.history);
    if (!step.entry) return undefined;
    this.history = step.history;
    this.store.apply([...step.entry.changes].reverse().map((c) => ({ key: c.key, state: c.before })));
    this.notify();
    return step.entry;
  }

  redo(): Command | undefined {
    const step = redo(this.history);
    if (!step.entry) return undefined;
    this.history = step.history;
    this.store.apply(step.entry.changes.map((c) => ({ key: c.key, state: c.after })));
    this.notify();
    return step.entry;
  }

  clear(): void {
    this.history = clear(this.history);
    this.notify();
  }

  private notify(): void {
    for (const l of this.listeners) l();
  }
}
