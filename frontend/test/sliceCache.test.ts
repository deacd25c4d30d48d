// The slice cache: one load per frame, prefetch nearest first, eviction of the farthest, retry after failure.
import { describe, expect, it } from 'vitest';
import { prefetchOrder, SliceCache } from '../src/viewer/sliceCache';

function loader(fail: Set<number> = new Set()) {
  const calls: number[] = [];
  const load = async (frame: number) => {
    calls.push(frame);
    await Promise.resolve();
    if (fail.has(frame)) throw new Error(`frame ${frame} broke`);
    return { frame, bytes: 100 };
  };
  return { calls, load };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('prefetchOrder', () => {
  it('alternates forward and back, nearest first, within the stack', () => {
    expect(prefetchOrder(5, 10, 3)).toEqual([6, 4, 7, 3, 8, 2]);
    expect(prefetchOrder(0, 3, 4)).toEqual([1, 2]);
    expect(prefetchOrder(9, 10, 2)).toEqual([8, 7]);
  });
});

describe('SliceCache', () => {
  it('loads a frame once however many ask', async () => {
    const { calls, load } = loader();
    const cache = new SliceCache(load, 10_000);
    const [a, b] = await Promise.all([cache.get(3), cache.get(3)]);
    expect(a).toBe(b);
    await cache.get(3);
    expect(calls).toEqual([3]);
    expect(cache.has(3) && cache.peek(3)?.frame === 3).toBe(true);
  });

  it('prefetches around the current frame and keeps within the byte budget, dropping the farthest', async () => {
    const { calls, load } = loader();
    const cache = new SliceCache(load, 500, { parallel: 2 });
    await cache.get(10);
    cache.prefetch(10, 100, 3);
    for (let i = 0; i < 10; i++) await settle();
    expect(calls).toEqual([10, 11, 9, 12, 8, 13, 7]);
    expect(cache.size).toBeLessThanOrEqual(500);
    expect(cache.has(10)).toBe(true); // the focus is never evicted
    expect(cache.has(11) && cache.has(9)).toBe(true);
  });

  it('forgets a failed load so that asking again retries', async () => {
    const fail = new Set([4]);
    const { calls, load } = loader(fail);
    const cache = new SliceCache(load, 10_000);
    await expect(cache.get(4)).rejects.toThrow('frame 4 broke');
    fail.clear();
    await expect(cache.get(4)).resolves.toMatchObject({ frame: 4 });
    expect(calls).toEqual([4, 4]);
  });

  it('stops after destroy', async () => {
    const { calls, load } = loader();
    const cache = new SliceCache(load, 10_000);
    cache.destroy();
    cache.prefetch(0, 10, 5);
    await settle();
    expect(calls).toEqual([]);
  });
});
