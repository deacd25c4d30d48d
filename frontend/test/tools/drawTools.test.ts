// Pointer sequences of the drawing tools → the shapes they finish, and the registry's contract.
import { describe, expect, it } from 'vitest';
import type { PolygonShape } from '../../src/core/shapes/model';
import { boxTool } from '../../src/tools/boxTool';
import { defaultTools } from '../../src/tools/index';
import { pointTool } from '../../src/tools/pointTool';
import { polygonTool } from '../../src/tools/polygonTool';
import { polylineTool } from '../../src/tools/polylineTool';
import { ToolRegistry } from '../../src/tools/registry';
import { harness } from './harness';

describe('registry', () => {
  it('has every tool of UI.md under its name and key, by label kind', () => {
    const r = defaultTools();
    expect(r.all().map((d) => [d.name, d.key])).toEqual([
      ['Select', 'v'],
      ['Box', 'b'],
      ['Polygon', 'p'],
      ['Polyline', 'l'],
      ['Point', 'o'],
      ['Brush', 'm'],
      ['Eraser', 'e'],
    ]);
    expect(r.byKey('P')?.name).toBe('Polygon');
    expect(r.forKind('mask').map((d) => d.name)).toEqual(['Brush', 'Eraser']); // Brush first: a mask label's own tool
  });

  it('refuses duplicate names and keys', () => {
    const r = new ToolRegistry().register(boxTool);
    expect(() => r.register(boxTool)).toThrow(/already registered/);
    expect(() => r.register({ ...pointTool, key: 'b' })).toThrow(/key b already belongs to Box/);
  });
});

describe('box and point', () => {
  it('a drag makes one clamped box; a click makes none', () => {
    const h = harness(boxTool, 'bbox');
    h.drag([[10, 20], [50, 40], [1200, 60]]);
    expect(h.finished).toEqual([{ kind: 'bbox', x: 10, y: 20, w: 990, h: 40 }]);
    expect(h.drafts.at(-2)).toMatchObject({ shape: { kind: 'bbox', w: 990 } });
    expect(h.drafts.at(-1)).toBeNull();
    h.click(5, 5);
    expect(h.finished).toHaveLength(1);
    expect(h.store.size).toBe(1);
  });

  it('Escape drops the box being dragged; no label, no drawing', () => {
    const h = harness(boxTool, 'bbox');
    h.tool.down(h.at(0, 0), h.ctx);
    expect(h.tool.cancel(h.ctx)).toBe(true);
    h.tool.up(h.at(30, 30), h.ctx);
    expect(h.finished).toHaveLength(0);
    expect(harness(boxTool, null).click(1, 1)).toBe(false);
  });

  it('a click makes a point', () => {
    const h = harness(pointTool, 'point');
    h.click(7.5, 8);
    expect(h.finished).toEqual([{ kind: 'point', x: 7.5, y: 8 }]);
  });
});

describe('polygon', () => {
  const tri = [[0, 0], [100, 0], [100, 100]] as const;

  it('closes on a click on the first vertex (tolerance in screen px)', () => {
    const h = harness(polygonTool, 'polygon', 2);
    for (const [x, y] of tri) h.click(x, y);
    h.click(3, 3); // 3·√2 image px · 2 = 8.5 screen px: too far
    expect(h.finished).toHaveLength(0);
    h.click(2, 2); // 5.7 screen px: closes
    expect(h.finished).toEqual([
      { kind: 'polygon', points: [{ x: 0, y: 0 }, { x: 100, y: 0 }, { x: 100, y: 100 }, { x: 3, y: 3 }] },
    ]);
  });

  it('closes with Enter and with a double-click (without a doubled vertex)', () => {
    const h = harness(polygonTool, 'polygon');
    for (const [x, y] of tri) h.click(x, y);
    expect(h.tool.key!('Enter', h.ctx)).toBe(true);
    for (const [x, y] of tri) h.click(x + 200, y);
    h.click(300, 100); // the second click of the double-click
    h.tool.doubleClick!(h.at(300, 100), h.ctx);
    expect(h.finished.map((s) => (s as PolygonShape).points.length)).toEqual([3, 3]);
  });

  it('takes back the last vertex with Backspace, and leaves Backspace to Delete when nothing is drawn', () => {
    const h = harness(polygonTool, 'polygon');
    for (const [x, y] of [...tri, [50, 200]] as [number, number][]) h.click(x, y);
    expect(h.tool.key!('Backspace', h.ctx)).toBe(true);
    h.tool.key!('Enter', h.ctx);
    expect((h.finished[0] as PolygonShape).points).toEqual([{ x: 0, y: 0 }, { x: 100, y: 0 }, { x: 100, y: 100 }]);
    h.click(5, 5);
    expect(h.tool.key!('Backspace', h.ctx)).toBe(true);
    expect(h.tool.key!('Backspace', h.ctx)).toBe(false); // nothing left: the page may delete the selection
    expect(h.finished).toHaveLength(1);
  });

  it('draws freehand when the button is held and dragged', () => {
    const h = harness(polygonTool, 'polygon');
    const path: [number, number][] = [];
    for (let a = 0; a <= 360; a += 10) path.push([500 + 50 * Math.cos((a * Math.PI) / 180), 400 + 50 * Math.sin((a * Math.PI) / 180)]);
    h.drag(path);
    const shape = h.finished[0] as PolygonShape;
    expect(shape.points.length).toBeGreaterThan(30);
  });

  it('Shift unites with the polygon of the same label underneath, Alt subtracts (polygon-clipping)', () => {
    const h = harness(polygonTool, 'polygon');
    h.add({ shape: { kind: 'polygon', points: [{ x: 0, y: 0 }, { x: 10, y: 0 }, { x: 10, y: 10 }, { x: 0, y: 10 }] } }, 'sq');
    for (const [x, y] of [[5, 0], [15, 0], [15, 10], [5, 10]]) h.click(x!, y!, { shift: true });
    h.tool.key!('Enter', h.ctx);
    expect(h.store.size).toBe(1);
    const union = h.store.get('sq')!.shape as PolygonShape;
    expect(union.points).toHaveLength(4);
    expect(Math.max(...union.points.map((p) => p.x))).toBe(15);
    h.stack.undo();
    for (const [x, y] of [[5, -1], [20, -1], [20, 11], [5, 11]]) h.click(x!, y!, { alt: true });
    h.tool.key!('Enter', h.ctx);
    const cut = h.store.get('sq')!.shape as PolygonShape;
    expect(Math.max(...cut.points.map((p) => p.x))).toBe(5);
    expect(h.store.size).toBe(1);
  });

  it('Escape drops the polygon being drawn', () => {
    const h = harness(polygonTool, 'polygon');
    h.click(1, 1);
    expect(h.tool.cancel(h.ctx)).toBe(true);
    expect(h.tool.cancel(h.ctx)).toBe(false);
  });
});

describe('polyline', () => {
  it('ends with Enter or a double-click; one vertex is not a line', () => {
    const h = harness(polylineTool, 'polyline');
    h.click(1, 1);
    h.tool.key!('Enter', h.ctx);
    expect(h.finished).toHaveLength(0);
    h.click(1, 1);
    h.click(20, 5);
    h.click(20, 5);
    h.tool.doubleClick!(h.at(20, 5), h.ctx);
    expect(h.finished).toEqual([{ kind: 'polyline', points: [{ x: 1, y: 1 }, { x: 20, y: 5 }] }]);
  });
});
