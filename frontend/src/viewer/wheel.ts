// Turns wheel deltas into slice steps: one notch (≈100 px) is one slice, a trackpad's small deltas add up first.

/** Wheel travel (CSS px) that makes one slice step. */
export const PIXELS_PER_SLICE = 50;

export class WheelStepper {
  private travel = 0;

  /** Slices to move for this wheel event (negative = back), 0 while the travel is still short of a step. */
  step(e: { deltaY: number; deltaMode: number }): number {
    const pixels = e.deltaMode === 1 ? e.deltaY * 40 : e.deltaMode === 2 ? e.deltaY * 800 : e.deltaY;
    if (Math.sign(pixels) !== Math.sign(this.travel)) this.travel = 0; // a change of direction starts afresh
    this.travel += pixels;
    if (Math.abs(this.travel) < PIXELS_PER_SLICE) return 0;
    const steps = Math.sign(this.travel) * Math.max(1, Math.floor(Math.abs(this.travel) / 100));
    this.travel = 0;
    return steps;
  }
}
