// Window/level and Length tools: drags on the viewer element become windows and rulers; pan is off while active.
// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { LengthTool } from '../src/tools/length';
import { WindowLevelTool } from '../src/tools/windowLevel';
import type { Window } from '../src/viewer/windowing';

function pointer(target: Element, type: string, x: number, y: number): void {
  target.dispatchEvent(new PointerEvent(type, { clientX: x, clientY: y, pointerId: 1, isPrimary: true, button: 0, bubbles: true }));
}

describe('WindowLevelTool', () => {
  it('widens with a drag right and raises the centre with a drag down, from the window at the start', () => {
    const element = document.createElement('div');
    let window: Window | null = { center: 40, width: 400 };
    const modes: boolean[] = [];
    const tool = new WindowLevelTool({
      element,
      get window() {
        return window;
      },
      setWindow: (w) => (window = w),
      setDrawingMode: (on) => modes.push(on),
    });
    pointer(element, 'pointerdown', 100, 100);
    pointer(element, 'pointermove', 200, 100);
    expect(window).toEqual({ center: 40, width: 400 }); // inactive: nothing happens
    tool.activate();
    pointer(element, 'pointerdown', 100, 100);
    pointer(element, 'pointermove', 150, 100);
    pointer(element, 'pointermove', 200, 150);
    expect(window).toEqual({ center: 140, width: 600 }); // 100 px × 400/200, 50 px × 2
    pointer(element, 'pointerup', 200, 150);
    pointer(element, 'pointermove', 300, 150);
    expect(window).toEqual({ center: 140, width: 600 });
    tool.deactivate();
    expect(modes).toEqual([true, false]);
    expect(element.classList.contains('tool-window-level')).toBe(false);
  });
});

describe('LengthTool', () => {
  it('turns one drag into one ruler in image px, clamped to the image, and ignores clicks', () => {
    const element = document.createElement('div');
    const lines: { a: { x: number; y: number }; b: { x: number; y: number } }[] = [];
    const drafts: unknown[] = [];
    const tool = new LengthTool(
      {
        element,
        imageSize: { width: 100, height: 50 },
        clientToImage: (x, y) => ({ x: x / 2, y: y / 2 }),
        setDrawingMode: () => undefined,
        showDraft: (a, b) => drafts.push(a && b ? [a, b] : null),
      },
      { onLine: (a, b) => lines.push({ a, b }) },
    );
    tool.activate();
    pointer(element, 'pointerdown', 20, 20);
    pointer(element, 'pointermove', 60, 20);
    pointer(element, 'pointerup', 400, 20);
    expect(lines).toEqual([{ a: { x: 10, y: 10 }, b: { x: 100, y: 10 } }]);
    expect(drafts[0]).toEqual([{ x: 10, y: 10 }, { x: 30, y: 10 }]);
    expect(drafts.at(-1)).toBeNull();
    pointer(element, 'pointerdown', 20, 20);
    pointer(element, 'pointerup', 21, 20); // half an image pixel: a click, not a ruler
    expect(lines).toHaveLength(1);
  });
});
