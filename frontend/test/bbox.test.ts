// Tests for the box tool: pointer drags become one clamped, normalised box in image coordinates.
// @vitest-environment jsdom
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Rect, Size } from '../src/core/geometry';
import { BoxTool, type BoxToolHost } from '../src/tools/bbox';

function makeHost(size: Size | null = { width: 200, height: 100 }) {
  const overlay = document.createElement('div');
  document.body.appendChild(overlay);
  const drafts: (Rect | null)[] = [];
  const modes: boolean[] = [];
  const host: BoxToolHost = {
    overlay,
    imageSize: size,
    // Pretend the view is zoomed 2×: element pixels are half image pixels.
    clientToImage: (x, y) => ({ x: x * 2, y: y * 2 }),
    setDrawingMode: (on) => modes.push(on),
    showDraft: (r) => drafts.push(r),
  };
  return { host, overlay, drafts, modes };
}

function pointer(target: Element, type: string, x: number, y: number, extra: PointerEventInit = {}): void {
  target.dispatchEvent(
    new PointerEvent(type, { clientX: x, clientY: y, pointerId: 1, isPrimary: true, button: 0, bubbles: true, cancelable: true, ...extra }),
  );
}

function drag(target: Element, from: [number, number], to: [number, number]): void {
  pointer(target, 'pointerdown', ...from);
  pointer(target, 'pointermove', (from[0] + to[0]) / 2, (from[1] + to[1]) / 2);
  pointer(target, 'pointermove', ...to);
  pointer(target, 'pointerup', ...to);
}

describe('BoxTool', () => {
  beforeEach(() => {
    document.body.replaceChildren();
  });

  it('does nothing until activated', () => {
    const { host, overlay } = makeHost();
    const onBox = vi.fn();
    new BoxTool(host, { onBox });
    drag(overlay, [10, 10], [40, 30]);
    expect(onBox).not.toHaveBeenCalled();
  });

  it('switches viewer navigation off while active and reports state changes', () => {
    const { host, modes } = makeHost();
    const onActiveChange = vi.fn();
    const tool = new BoxTool(host, { onBox: vi.fn(), onActiveChange });
    tool.toggle();
    expect(tool.active).toBe(true);
    tool.toggle();
    expect(tool.active).toBe(false);
    expect(modes).toEqual([true, false]);
    expect(onActiveChange.mock.calls).toEqual([[true], [false]]);
  });

  it('emits one image-space box per drag and shows a draft meanwhile', () => {
    const { host, overlay, drafts } = makeHost();
    const onBox = vi.fn();
    const tool = new BoxTool(host, { onBox });
    tool.activate();
    drag(overlay, [10, 10], [40, 30]);
    expect(onBox).toHaveBeenCalledTimes(1);
    expect(onBox).toHaveBeenCalledWith({ x: 20, y: 20, w: 60, h: 40 });
    expect(drafts.at(-1)).toBeNull();
    expect(drafts.some((d) => d !== null)).toBe(true);
  });

  it('normalises a bottom-right to top-left drag', () => {
    const { host, overlay } = makeHost();
    const onBox = vi.fn();
    new BoxTool(host, { onBox }).activate();
    drag(overlay, [40, 30], [10, 10]);
    expect(onBox).toHaveBeenCalledWith({ x: 20, y: 20, w: 60, h: 40 });
  });

  it('clamps drags that leave the image', () => {
    const { host, overlay } = makeHost();
    const onBox = vi.fn();
    new BoxTool(host, { onBox }).activate();
    drag(overlay, [90, 40], [500, 500]);
    expect(onBox).toHaveBeenCalledWith({ x: 180, y: 80, w: 20, h: 20 });
  });

  it('ignores clicks, right-button drags and drags with no image open', () => {
    const { host, overlay } = makeHost();
    const onBox = vi.fn();
    new BoxTool(host, { onBox }).activate();
    drag(overlay, [10, 10], [10, 10]);
    pointer(overlay, 'pointerdown', 10, 10, { button: 2 });
    pointer(overlay, 'pointerup', 50, 50, { button: 2 });
    expect(onBox).not.toHaveBeenCalled();

    const closed = makeHost(null);
    const onBox2 = vi.fn();
    new BoxTool(closed.host, { onBox: onBox2 }).activate();
    drag(closed.overlay, [10, 10], [50, 50]);
    expect(onBox2).not.toHaveBeenCalled();
  });

  it('abandons the drag when deactivated midway (Escape) or cancelled', () => {
    const { host, overlay, drafts } = makeHost();
    const onBox = vi.fn();
    const tool = new BoxTool(host, { onBox });
    tool.activate();
    pointer(overlay, 'pointerdown', 10, 10);
    pointer(overlay, 'pointermove', 30, 30);
    expect(tool.drawing).toBe(true);
    tool.deactivate();
    expect(tool.drawing).toBe(false);
    expect(drafts.at(-1)).toBeNull();
    pointer(overlay, 'pointerup', 30, 30);
    expect(onBox).not.toHaveBeenCalled();

    tool.activate();
    pointer(overlay, 'pointerdown', 10, 10);
    pointer(overlay, 'pointercancel', 10, 10);
    pointer(overlay, 'pointerup', 30, 30);
    expect(onBox).not.toHaveBeenCalled();
  });

  it('ignores events of a second pointer during a drag', () => {
    const { host, overlay } = makeHost();
    const onBox = vi.fn();
    new BoxTool(host, { onBox }).activate();
    pointer(overlay, 'pointerdown', 10, 10);
    pointer(overlay, 'pointerup', 90, 45, { pointerId: 2, isPrimary: false });
    expect(onBox).not.toHaveBeenCalled();
    pointer(overlay, 'pointerup', 20, 20);
    expect(onBox).toHaveBeenCalledWith({ x: 20, y: 20, w: 20, h: 20 });
  });
});
