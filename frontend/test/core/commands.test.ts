// One command stack over the store: undo/redo of create, edit, attributes, delete and batches, across server ids.
import { describe, expect, it } from 'vitest';
import {
  batchCommand,
  CommandStack,
  createCommand,
  deleteCommand,
  updateCommand,
} from '../../src/core/commands';
import { AnnotationStore, recordFromAnnotation, type AnnotationState, type StoreChange } from '../../src/core/store';

const box = (x: number): AnnotationState => ({
  label: 1,
  frame: 0,
  shape: { kind: 'bbox', x, y: 0, w: 5, h: 5 },
  attributes: {},
});

function setup() {
  const store = new AnnotationStore();
  const stack = new CommandStack(store);
  const seen: StoreChange[] = [];
  store.subscribe((c) => seen.push(...c));
  return { store, stack, seen };
}

describe('command stack', () => {
  it('undoes and redoes a create, keeping the server id the record got meanwhile', () => {
    const { store, stack, seen } = setup();
    stack.execute(createCommand(box(1), 'a'));
    store.acknowledge('a', 41, 1);
    stack.execute(updateCommand(store, 'a', { shape: { kind: 'bbox', x: 9, y: 0, w: 5, h: 5 } }, 'Move'));
    store.acknowledge('a', 41, 2);
    expect(stack.undoName).toBe('Move');
    stack.undo();
    expect(store.get('a')).toMatchObject({ id: 41, version: 2, shape: { x: 1 } });
    stack.undo();
    expect(store.get('a')).toBeUndefined();
    expect(seen.at(-1)).toMatchObject({ key: 'a', after: null, origin: 'local', before: { id: 41 } });
    stack.redo();
    expect(store.get('a')).toMatchObject({ id: null, shape: { x: 1 } }); // re-created: the server gives a new id
    expect(stack.canRedo).toBe(true);
    stack.redo();
    expect(store.get('a')?.shape).toMatchObject({ x: 9 });
    expect(stack.canRedo).toBe(false);
  });

  it('undoes attribute edits and deletes of several shapes as one step', () => {
    const { store, stack } = setup();
    stack.execute(batchCommand('Paste', [createCommand(box(1), 'a'), createCommand(box(2), 'b')]));
    stack.execute(updateCommand(store, 'a', { attributes: { grade: 2 } }, 'Attributes'));
    stack.execute(deleteCommand(store, ['a', 'b']));
    expect(store.size).toBe(0);
    stack.undo();
    expect(store.get('a')?.attributes).toEqual({ grade: 2 });
    expect(store.get('b')).toBeDefined();
    stack.undo();
    expect(store.get('a')?.attributes).toEqual({});
    stack.undo();
    expect(store.size).toBe(0);
    expect(stack.canUndo).toBe(false);
  });

  it('a new command clears redo; empty commands are not recorded', () => {
    const { store, stack } = setup();
    stack.execute(createCommand(box(1), 'a'));
    stack.undo();
    stack.execute(deleteCommand(store, ['missing']));
    expect(stack.canRedo).toBe(true);
    stack.execute(createCommand(box(3), 'c'));
    expect(stack.canRedo).toBe(false);
  });

  it('server loads are marked as such and indexed by id', () => {
    const { store, seen } = setup();
    const record = recordFromAnnotation(
      { id: 7, version: 3, label: 2, frame: 1, geometry: { x: 1, y: 2 }, attributes: {} },
      'point',
      'p',
    );
    store.putServer([record]);
    expect(seen[0]!.origin).toBe('server');
    expect(store.keyOfId(7)).toBe('p');
    expect(store.onFrame(1)).toHaveLength(1);
    store.dropServer('p');
    expect(store.keyOfId(7)).toBeUndefined();
  });
});
