// Tests for the immutable undo/redo stack.
import { describe, expect, it } from 'vitest';
import { canRedo, canUndo, clear, createHistory, mapEntries, push, redo, undo } from '../src/core/history';

describe('history', () => {
  it('starts empty', () => {
    const h = createHistory<string>();
    expect(canUndo(h)).toBe(false);
    expect(canRedo(h)).toBe(false);
    expect(undo(h)).toEqual({ history: h, entry: undefined });
    expect(redo(h)).toEqual({ history: h, entry: undefined });
  });

  it('undoes in reverse order and redoes in original order', () => {
    let h = push(push(push(createHistory<string>(), 'a'), 'b'), 'c');
    const undone: string[] = [];
    for (let i = 0; i < 2; i++) {
      const step = undo(h);
      undone.push(step.entry!);
      h = step.history;
    }
    expect(undone).toEqual(['c', 'b']);
    expect(h.past).toEqual(['a']);
    expect(canRedo(h)).toBe(true);

    const r1 = redo(h);
    expect(r1.entry).toBe('b');
    const r2 = redo(r1.history);
    expect(r2.entry).toBe('c');
    expect(r2.history.past).toEqual(['a', 'b', 'c']);
    expect(canRedo(r2.history)).toBe(false);
  });

  it('drops the redo branch when a new action is pushed', () => {
    let h = push(push(createHistory<string>(), 'a'), 'b');
    h = undo(h).history;
    h = push(h, 'x');
    expect(h.past).toEqual(['a', 'x']);
    expect(canRedo(h)).toBe(false);
  });

  it('never mutates the previous state (failed side effects can simply be discarded)', () => {
    const h = push(createHistory<number>(), 1);
    const before = JSON.stringify(h);
    undo(h);
    push(h, 2);
    redo(undo(h).history);
    expect(JSON.stringify(h)).toBe(before);
  });

  it('keeps only the newest entries up to the limit', () => {
    let h = createHistory<number>(3);
    for (let i = 1; i <= 5; i++) h = push(h, i);
    expect(h.past).toEqual([3, 4, 5]);
  });

  it('rejects invalid limits', () => {
    expect(() => createHistory(0)).toThrow(RangeError);
    expect(() => createHistory(1.5)).toThrow(RangeError);
  });

  it('maps entries in both stacks, e.g. to follow a re-created id', () => {
    let h = push(push(createHistory<{ id: number }>(), { id: 1 }), { id: 2 });
    h = undo(h).history;
    const mapped = mapEntries(h, (e) => (e.id === 2 ? { id: 20 } : e));
    expect(mapped.past).toEqual([{ id: 1 }]);
    expect(mapped.future).toEqual([{ id: 20 }]);
  });

  it('clears both stacks', () => {
    const h = clear(undo(push(push(createHistory<number>(), 1), 2)).history);
    expect(canUndo(h)).toBe(false);
    expect(canRedo(h)).toBe(false);
  });
});
