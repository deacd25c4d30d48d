// Bounded cache of a stack's frames: one load per frame at a time, prefetch around the current one, evict the farthest.

/** Loads one frame; `bytes` of the result count against the cache's budget. */
export type FrameLoader<T extends { bytes: number }> = (frame: number, signal: AbortSignal) => Promise<T>;

/** Frames to fetch next around `current`, nearest first, alternating forward and back (forward first). */
export function prefetchOrder(current: number, frameCount: number, radius: number): number[] {
  const order: number[] = [];
  for (let d = 1; d <= radius; d++) {
    if (current + d < frameCount) order.push(current + d);
    if (current - d >= 0) order.push(current - d);
  }
  return order;
}

export class SliceCache<T extends { bytes: number }> {
  private readonly done = new Map<number, T>();
  private readonly loading = new Map<number, Promise<T>>();
  private readonly controller = new AbortController();
  private bytes = 0;
  private focus = 0;
  /** Loads started by prefetch() that may run at once. */
  private readonly parallel: number;
  private queue: number[] = [];
  private running = 0;

  constructor(
    private readonly load: FrameLoader<T>,
    /** Budget in bytes; the current frame is always kept even when it alone is larger. */
    private readonly budget: number,
    options: { parallel?: number } = {},
  ) {
    this.parallel = options.parallel ?? 2;
  }

  /** Bytes held by loaded frames. */
  get size(): number {
    return this.bytes;
  }

  has(frame: number): boolean {
    return this.done.has(frame);
  }

  peek(frame: number): T | undefined {
    return this.done.get(frame);
  }

  /** The frame, loaded once however many ask; a failed load is forgotten so the next ask retries. */
  get(frame: number): Promise<T> {
    this.focus = frame;
    return this.fetch(frame);
  }

  private fetch(frame: number): Promise<T> {
    const hit = this.done.get(frame);
    if (hit) return Promise.resolve(hit);
    const pending = this.loading.get(frame);
    if (pending) return pending;
    const promise = this.load(frame, this.controller.signal).then(
      (value) => {
        this.loading.delete(frame);
        if (this.controller.signal.aborted) return value;
        this.done.set(frame, value);
        this.bytes += value.bytes;
        this.evict();
        return value;
      },
      (err: unknown) => {
        this.loading.delete(frame);
        throw err;
      },
    );
    this.loading.set(frame, promise);
    return promise;
  }

  /** Fetch frames around `current` in the background (nearest first), as far as the budget allows. */
  prefetch(current: number, frameCount: number, radius: number): void {
    this.focus = current;
    this.queue = prefetchOrder(current, frameCount, radius).filter((f) => !this.done.has(f) && !this.loading.has(f));
    this.pump();
  }

  /** Forget everything and stop loads in flight. */
  destroy(): void {
    this.controller.abort();
    this.queue = [];
    this.done.clear();
    this.bytes = 0;
  }

  private pump(): void {
    while (this.running < this.parallel && this.queue.length > 0 && !this.controller.signal.aborted) {
      const frame = this.queue.shift() as number;
      if (this.done.has(frame) || this.loading.has(frame)) continue;
      this.running++;
      // A prefetch failure is not reported: the frame is asked for again when it is shown.
      void this.fetch(frame)
        .catch(() => undefined)
        .then(() => {
          this.running--;
          this.pump();
        });
    }
  }

  /** Drop frames farthest from the focus until within budget; never the focus itself. */
  private evict(): void {
    if (this.bytes <= this.budget) return;
    const byDistance = [...this.done.keys()].sort((a, b) => Math.abs(b - this.focus) - Math.abs(a - this.focus));
    for (const frame of byDistance) {
      if (this.bytes <= this.budget || frame === this.focus) break;
      this.bytes -= (this.done.get(frame) as T).bytes;
      this.done.delete(frame);
    }
  }
}
