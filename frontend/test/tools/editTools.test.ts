// Select/edit and mask tools: move, vertices, handles, multi-select, Delete, brush and eraser strokes.
import { describe, expect, it } from 'vitest';
import { maskArea, type MaskShape, type PolygonShape } from '../../src/core/shapes/model';
import { brushTool } from '../../src/tools/brushTool';
import { eraserTool } from '../../src/tools/eraserTool';
import { selectTool } from '../../src/tools/selectTool';
import { harness } from './harness';

const square = { kind: 'polygon' as const, points: [{ x: 0, y: 0 }, { x: 100, y: 0 }, { x: 100, y: 100 }, { x: 0, y: 100 }] };

describe('select tool', () => {
  it('selects on click, moves by drag (one undo step), pans on empty image', () => {
    const h = harness(selectTool, null);
    h.add({ shape: square }, 'a');
    h.add({ shape: { kind: 'bbox', x: 300, y: 300, w: 10, h: 10 } }, 'b');
    expect(h.drag([[50, 50], [60, 55], [70, 60]])).toBe(true);
    expect(h.selection.list()).toEqual(['a']);
    expect((h.store.get('a')!.shape as PolygonShape).points[0]).toEqual({ x: 20, y: 10 });
    h.stack.undo();
    expect((h.store.get('a')!.shape as PolygonShape).points[0]).toEqual({ x: 0, y: 0 });
    expect(h.click(600, 600)).toBe(false);
    expect(h.selection.size).toBe(0);
  });

  it('Shift adds to the selection, a drag moves all, Delete removes all', () => {
    const h = harness(selectTool, null);
    h.add({ shape: square }, 'a');
    h.add({ shape: { kind: 'point', x: 300, y: 300 } }, 'p');
    h.click(50, 50);
    h.click(302, 301, { shift: true });
    expect(h.selection.list()).toEqual(['a', 'p']);
    h.drag([[300, 300], [310, 300]]);
    expect(h.store.get('p')!.shape).toMatchObject({ x: 310 });
    expect((h.store.get('a')!.shape as PolygonShape).points[0]).toEqual({ x: 10, y: 0 });
    expect(h.tool.key!('Delete', h.ctx)).toBe(true);
    expect(h.store.size).toBe(0);
    h.stack.undo();
    expect(h.store.size).toBe(2);
  });

  it('drags a vertex, inserts on an edge click, removes with Alt+click', () => {
    const h = harness(selectTool, null, 2); // tolerance 6 screen px = 3 image px
    h.add({ shape: square }, 'a');
    h.click(50, 50);
    h.drag([[101, 101], [120, 130]]);
    expect((h.store.get('a')!.shape as PolygonShape).points[2]).toEqual({ x: 120, y: 130 });
    h.drag([[50, 1], [50, -20]]); // on the top edge: a new vertex, dragged
    const pts = (h.store.get('a')!.shape as PolygonShape).points;
    expect(pts).toHaveLength(5);
    expect(pts[1]).toEqual({ x: 50, y: -20 });
    h.click(50, -19, { alt: true });
    expect((h.store.get('a')!.shape as PolygonShape).points).toHaveLength(4);
  });

  it('resizes a box by a handle', () => {
    const h = harness(selectTool, null);
    h.add({ shape: { kind: 'bbox', x: 10, y: 10, w: 20, h: 20 } }, 'b');
    h.click(20, 20);
    h.drag([[30, 30], [50, 45]]);
    expect(h.store.get('b')!.shape).toEqual({ kind: 'bbox', x: 10, y: 10, w: 40, h: 35 });
  });
});

describe('brush and eraser', () => {
  it('a stroke makes a new mask; [ and ] change the size; a second stroke paints onto the selected mask', () => {
    const h = harness(brushTool, 'mask');
    expect(h.tool.key!(']', h.ctx)).toBe(true); // 20 → 25 px
    expect(h.tool.key!('[', h.ctx)).toBe(true); // 25 → 20 px
    h.drag([[100, 100], [150, 100], [200, 100]]);
    const key = h.store.all()[0]!.key;
    const first = h.store.get(key)!.shape as MaskShape;
    expect(first).toMatchObject({ kind: 'mask', x: 90, y: 90, w: 120, h: 20 });
    h.selection.set([key]);
    h.drag([[200, 100], [200, 200]]);
    expect(h.store.size).toBe(1);
    const second = h.store.get(key)!.shape as MaskShape;
    expect(maskArea(second)).toBeGreaterThan(maskArea(first));
    expect(second.h).toBe(120);
    h.stack.undo();
    expect(h.store.get(key)!.shape).toEqual(first); // the stroke painted a copy: undo restores
  });

  it('the eraser erases from the mask under the stroke and deletes it when emptied', () => {
    const b = harness(brushTool, 'mask');
    b.drag([[100, 100], [110, 100]]);
    const mask = b.store.all()[0]!;
    const e = harness(eraserTool, null);
    e.add({ shape: mask.shape }, 'm');
    e.drag([[100, 100], [101, 100]]);
    expect(maskArea(e.store.get('m')!.shape as MaskShape)).toBeLessThan(maskArea(mask.shape as MaskShape));
    for (let i = 0; i < 3; i++) e.tool.key!(']', e.ctx);
    e.selection.set(['m']); // the stroke starts on erased pixels: the selection names the mask
    e.drag([[95, 100], [115, 100]]);
    expect(e.store.get('m')).toBeUndefined();
    expect(e.click(500, 500)).toBe(false);
  });
});
