// @vitest-environment jsdom
// The display layer's bookkeeping: culling by the viewport, frame switches, per-label visibility, one draw per frame.
import { describe, expect, it } from 'vitest';
import { VirtualSurface } from '../../bench/virtualSurface';
import { labelColor, OKABE_ITO } from '../../src/core/palette';
import { ShapeIndex } from '../../src/core/shapeIndex';
import { AnnotationStore, type AnnotationRecord } from '../../src/core/store';
import { EditOverlay } from '../../src/viewer/editOverlay';
import { ShapeLayer } from '../../src/viewer/shapeLayer';
import { label } from '../tools/harness';

function setup() {
  const host = document.createElement('div');
  Object.defineProperty(host, 'clientWidth', { value: 800 });
  Object.defineProperty(host, 'clientHeight', { value: 600 });
  document.body.appendChild(host);
  const surface = new VirtualSurface(host, { width: 40_000, height: 30_000 }, 3);
  Object.defineProperty(surface.overlayHost, 'clientWidth', { value: 800 });
  Object.defineProperty(surface.overlayHost, 'clientHeight', { value: 600 });
  const store = new AnnotationStore();
  const frames: (() => void)[] = [];
  const layer = new ShapeLayer(surface, store, [label('polygon', 1), { ...label('bbox', 2), color: '' }], {
    requestFrame: (f) => frames.push(f),
  });
  const flush = () => frames.splice(0).forEach((f) => f());
  return { surface, store, layer, frames, flush };
}

const box = (key: string, x: number, y: number, labelId = 1, frame = 0): AnnotationRecord => ({
  key,
  id: null,
  version: null,
  label: labelId,
  frame,
  shape: { kind: 'bbox', x, y, w: 100, h: 100 },
  attributes: {},
});

describe('shape layer', () => {
  it('draws only what is in view, redrawing once per animation frame', () => {
    const { surface, store, layer, frames, flush } = setup();
    store.putServer([box('a', 10, 10), box('b', 20_000, 20_000), box('c', 500, 400, 2)]);
    surface.panBy(1, 0);
    surface.panBy(1, 0);
    expect(frames).toHaveLength(1);
    flush();
    expect(layer.lastDrawn).toBe(2); // scale 1: the view is 800 × 600 image px at the origin
    surface.fit();
    flush();
    expect(layer.lastDrawn).toBe(3);
  });

  it('follows frames and store changes', () => {
    const { surface, store, layer, flush } = setup();
    surface.fit();
    store.putServer([box('a', 10, 10), box('z', 10, 10, 1, 2)]);
    flush();
    expect(layer.lastDrawn).toBe(1);
    surface.setFrame(2);
    flush();
    expect(layer.hitTest({ x: 50, y: 50 }, 0)).toEqual(['z']);
    store.dropServer('z');
    flush();
    expect(layer.lastDrawn).toBe(0);
  });

  it('hides a label and leaves out shapes being edited', () => {
    const { surface, store, layer, flush } = setup();
    surface.fit();
    store.putServer([box('a', 10, 10), box('c', 500, 400, 2)]);
    layer.setLabelStyle(2, { visible: false });
    flush();
    expect(layer.lastDrawn).toBe(1);
    expect(layer.hitTest({ x: 550, y: 450 }, 0)).toEqual([]);
    layer.setEditing(['a']);
    flush();
    expect(layer.lastDrawn).toBe(0);
  });

  it('says when a render is still to come, and knows the bounds of what it indexed', () => {
    const { surface, store, layer, flush } = setup();
    surface.fit();
    flush();
    expect(layer.rendering).toBe(false);
    store.putServer([box('a', 10, 20)]);
    expect(layer.rendering).toBe(true);
    flush();
    expect(layer.rendering).toBe(false);
    expect(layer.lastDrawn).toBe(1);
    const index = new ShapeIndex();
    index.reset(store.all());
    expect(index.bounds('a')).toEqual({ x: 10, y: 20, w: 100, h: 100 });
    expect(index.bounds('nope')).toBeNull();
  });

  it('gives labels without a colour an Okabe–Ito colour in label order', () => {
    const { layer } = setup();
    expect(layer.style(1)!.color).toBe('#ff0000');
    expect(layer.style(2)!.color).toBe(OKABE_ITO[1]);
    expect(labelColor({ color: 'red' }, 9)).toBe(OKABE_ITO[1]);
  });
});

describe('edit overlay', () => {
  it('draws the draft in element coordinates with its vertex handles', () => {
    const { surface } = setup();
    surface.zoomBy(2, { x: 0, y: 0 });
    const overlay = new EditOverlay(surface);
    overlay.show({ shape: { kind: 'polygon', points: [{ x: 0, y: 0 }, { x: 10, y: 0 }, { x: 10, y: 5 }] }, vertices: [{ x: 10, y: 5 }] });
    expect(overlay.svg.querySelector('polygon')!.getAttribute('points')).toBe('0,0 20,0 20,10');
    expect(overlay.svg.querySelector('circle')!.getAttribute('cx')).toBe('20');
    surface.panBy(5, 0);
    expect(overlay.svg.querySelector('polygon')!.getAttribute('points')).toBe('5,0 25,0 25,10');
    overlay.show(null);
    expect(overlay.svg.children).toHaveLength(0);
  });
});
