// The save queue: order, coalescing, offline with backoff, reload from IndexedDB, no duplicate creates, 412.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { CommandStack, createCommand, deleteCommand, updateCommand } from '../../src/core/commands';
import { SaveQueue, statusText, type SaveStatus } from '../../src/core/saveQueue';
import { IndexedDbQueueStorage, type QueueStorage } from '../../src/core/saveStorage';
import { AnnotationStore, type AnnotationState } from '../../src/core/store';
import { FakeServer, ManualTimers } from './fakeServer';

const box = (x: number): AnnotationState => ({ label: 1, frame: 0, shape: { kind: 'bbox', x, y: 0, w: 5, h: 5 }, attributes: {} });
let dbCount = 0;

async function page(server: FakeServer, storage: QueueStorage) {
  const store = new AnnotationStore();
  const stack = new CommandStack(store);
  const timers = new ManualTimers();
  const queue = await SaveQueue.open({
    imageId: 1,
    store,
    transport: server,
    kindOf: () => 'bbox',
    storage,
    timers,
    delayMs: 50,
    backoff: { baseMs: 1000, maxMs: 8000 },
  });
  const statuses: SaveStatus[] = [];
  queue.onStatus((s) => statuses.push(s));
  queue.load(await server.annotations());
  /** Fire timers until the queue has nothing left to do now. */
  const settle = async () => {
    for (let i = 0; i < 20 && timers.count > 0; i++) {
      timers.fire();
      await queue.idle();
    }
  };
  await settle();
  return { store, stack, queue, timers, statuses, settle };
}

const freshStorage = () => new IndexedDbQueueStorage(indexedDB, `test-${++dbCount}`);

/** A page that draws box 'a' while the server is in `mode`, tries once, and is closed (before a reload). */
async function drawAndLeave(server: FakeServer, storage: QueueStorage, mode: FakeServer['mode']) {
  const first = await page(server, storage);
  server.mode = mode;
  first.stack.execute(createCommand(box(1), 'a'));
  first.timers.fire();
  await first.queue.idle();
  first.queue.destroy();
  server.mode = 'ok';
  return first;
}

describe('save queue', () => {
  it('sends coalesced changes in one bulk request and binds server ids to keys', async () => {
    const server = new FakeServer();
    const p = await page(server, freshStorage());
    p.stack.execute(createCommand(box(1), 'a'));
    p.stack.execute(updateCommand(p.store, 'a', { shape: { kind: 'bbox', x: 2, y: 0, w: 5, h: 5 } }));
    p.stack.execute(createCommand(box(3), 'b'));
    p.stack.execute(deleteCommand(p.store, ['b'])); // never reaches the server
    expect(statusText(p.queue.status)).toBe('Saving…');
    await p.settle();
    expect(server.requests).toEqual([{ create: [{ label: 1, frame: 0, geometry: { x: 2, y: 0, w: 5, h: 5 }, attributes: {} }], update: [], delete: [] }]);
    expect(p.store.get('a')).toMatchObject({ id: 100, version: 1 });
    expect(statusText(p.queue.status)).toBe('Saved');
    // undo everything after the server gave an id: b comes and goes unsent, a's edit folds into its delete
    for (let i = 0; i < 4; i++) p.stack.undo();
    await p.settle();
    expect(server.requests[1]).toEqual({ create: [], update: [], delete: [{ id: 100, version: 1 }] });
    expect(server.rows.size).toBe(0);
  });

  it('waits for a create in flight before updating it', async () => {
    const server = new FakeServer();
    const p = await page(server, freshStorage());
    p.stack.execute(createCommand(box(1), 'a'));
    p.timers.fire(); // the create goes out
    p.stack.execute(updateCommand(p.store, 'a', { attributes: { note: 'x' } }));
    await p.settle();
    expect(server.requests.map((r) => [r.create.length, r.update.length])).toEqual([[1, 0], [0, 1]]);
    expect(server.rows.get(100)).toMatchObject({ version: 2, attributes: { note: 'x' } });
  });

  it('goes offline with exponential backoff and sends in order once back', async () => {
    const server = new FakeServer();
    const p = await page(server, freshStorage());
    server.mode = 'offline';
    p.stack.execute(createCommand(box(1), 'a'));
    await p.settle();
    // settle stops after 20 rounds; the delays grew 1 s, 2 s, 4 s, then stayed at 8 s
    expect(p.timers.delays.filter((d) => d >= 1000).slice(0, 5)).toEqual([1000, 2000, 4000, 8000, 8000]);
    expect(statusText(p.queue.status)).toBe('Offline — will retry');
    server.mode = 'ok';
    p.stack.execute(createCommand(box(2), 'b'));
    p.queue.retryNow();
    await p.settle();
    expect(server.rows.size).toBe(2);
    expect([...server.rows.values()].map((r) => (r.geometry as { x: number }).x)).toEqual([1, 2]);
    expect(statusText(p.queue.status)).toBe('Saved');
  });

  it('never duplicates a create whose answer was lost, also across a reload', async () => {
    const server = new FakeServer();
    const storage = freshStorage();
    const first = await drawAndLeave(server, storage, 'lost');
    expect(server.rows.size).toBe(1); // applied, but the page never heard
    expect(statusText(first.queue.status)).toBe('Offline — will retry');
    const second = await page(server, storage); // a reload
    expect(server.rows.size).toBe(1);
    expect(server.requests).toHaveLength(1);
    expect(second.store.get('a')).toMatchObject({ id: 100, version: 1 });
    expect(second.store.size).toBe(1);
    expect(statusText(second.queue.status)).toBe('Saved');
  });

  it('keeps unsent changes across a reload and sends them exactly once', async () => {
    const server = new FakeServer();
    const kept = server.add({ label: 1, geometry: { x: 0, y: 0, w: 1, h: 1 } });
    const storage = freshStorage();
    const first = await page(server, storage);
    server.mode = 'offline';
    const key = first.store.keyOfId(kept.id)!;
    first.stack.execute(updateCommand(first.store, key, { shape: { kind: 'bbox', x: 7, y: 7, w: 2, h: 2 } }));
    first.stack.execute(createCommand(box(4), 'n'));
    first.timers.fire();
    await first.queue.idle();
    first.queue.destroy();
    server.mode = 'ok';
    const second = await page(server, storage);
    expect(second.store.get(key)?.shape).toMatchObject({ x: 7 });
    expect(second.store.get('n')).toMatchObject({ id: 101 });
    expect(server.rows.size).toBe(2);
    expect(server.rows.get(kept.id)).toMatchObject({ version: 2, geometry: { x: 7 } });
    expect(await storage.load(1)).toBeNull();
  });

  it('412: shows both versions; keep mine re-applies on theirs, take theirs shows theirs', async () => {
    for (const choice of ['mine', 'theirs'] as const) {
      const server = new FakeServer();
      const row = server.add({ label: 1, geometry: { x: 0, y: 0, w: 1, h: 1 } });
      const p = await page(server, freshStorage());
      const key = p.store.keyOfId(row.id)!;
      server.touch(row.id, { geometry: { x: 50, y: 50, w: 1, h: 1 } }); // a second user
      p.stack.execute(updateCommand(p.store, key, { shape: { kind: 'bbox', x: 9, y: 9, w: 1, h: 1 } }));
      await p.settle();
      expect(statusText(p.queue.status)).toBe('Conflict');
      const conflict = p.queue.conflict!;
      expect(conflict.items).toHaveLength(1);
      expect(conflict.items[0]!.mine?.shape).toMatchObject({ x: 9 });
      expect(conflict.items[0]!.theirs).toMatchObject({ version: 2, geometry: { x: 50 } });
      expect(server.rows.get(row.id)!.geometry).toMatchObject({ x: 50 }); // nothing overwritten
      if (choice === 'mine') conflict.keepMine();
      else conflict.takeTheirs();
      await p.settle();
      expect(statusText(p.queue.status)).toBe('Saved');
      const want = choice === 'mine' ? 9 : 50;
      expect(server.rows.get(row.id)).toMatchObject({ geometry: { x: want }, version: choice === 'mine' ? 3 : 2 });
      expect(p.store.get(key)).toMatchObject({ shape: { x: want }, version: choice === 'mine' ? 3 : 2 });
    }
  });

  it('keep mine after their delete creates it again', async () => {
    const server = new FakeServer();
    const row = server.add({ label: 1, geometry: { x: 0, y: 0, w: 1, h: 1 } });
    const p = await page(server, freshStorage());
    const key = p.store.keyOfId(row.id)!;
    server.rows.delete(row.id);
    server.add({ label: 1, geometry: { x: 3, y: 3, w: 1, h: 1 } }); // makes the batch's version check fail differently
    p.stack.execute(updateCommand(p.store, key, { attributes: { a: 1 } }));
    await p.settle();
    expect(p.queue.conflict!.items[0]!.theirs).toBeNull();
    p.queue.conflict!.keepMine();
    await p.settle();
    expect([...server.rows.values()].filter((r) => (r.attributes as { a?: number }).a === 1)).toHaveLength(1);
    expect(p.store.get(key)?.id).toBe(102);
  });

  it('a rejected change says why and is kept until retried', async () => {
    const server = new FakeServer();
    const p = await page(server, freshStorage());
    server.mode = 400;
    p.stack.execute(createCommand(box(1), 'a'));
    await p.settle();
    expect(statusText(p.queue.status)).toBe('Not saved: HTTP 400');
    expect(p.queue.pending).toHaveLength(1);
    server.mode = 'ok';
    p.queue.retryNow();
    await p.settle();
    expect(server.rows.size).toBe(1);
  });
});

describe('leaving the page', () => {
  it('sends what is pending at once instead of at the next visit, then hears no more changes', async () => {
    const server = new FakeServer();
    const p = await page(server, freshStorage());
    p.stack.execute(createCommand(box(1), 'a'));
    p.stack.execute(createCommand(box(2), 'b'));
    const statuses = p.statuses.length;
    await p.queue.close(); // before the autosave delay ran out
    expect(server.rows.size).toBe(2);
    expect(p.queue.pending).toHaveLength(0);
    expect(p.statuses.length).toBe(statuses); // the page that is gone hears nothing more
    p.stack.execute(createCommand(box(3), 'c'));
    await p.settle();
    expect(server.rows.size).toBe(2);
    expect(p.timers.count).toBe(0);
  });

  it('offline: what could not go stays stored and goes out on the next visit, once', async () => {
    const server = new FakeServer();
    const storage = freshStorage();
    const first = await page(server, storage);
    server.mode = 'offline';
    first.stack.execute(createCommand(box(1), 'a'));
    await first.queue.close();
    expect(server.rows.size).toBe(0);
    server.mode = 'ok';
    const second = await page(server, storage);
    await second.settle();
    expect(server.rows.size).toBe(1);
    expect(second.store.size).toBe(1);
  });
});

describe('refused changes', () => {
  it('names the refused change, lets it be discarded, and the rest goes out', async () => {
    const server = new FakeServer();
    server.add({ label: 1, geometry: { x: 0, y: 0, w: 5, h: 5 } });
    const p = await page(server, freshStorage());
    const existing = p.store.all()[0]!.key;
    // The server refuses any box left of the image (x < 0), naming it like the real bulk endpoint does.
    server.validate = (body) => {
      const i = body.create.findIndex((c) => (c.geometry as { x: number }).x < 0);
      return i >= 0 ? { [`create[${i}].geometry`]: ['outside the image'] } : null;
    };
    p.stack.execute(createCommand(box(10), 'good'));
    p.stack.execute(createCommand(box(-3), 'bad'));
    p.stack.execute(updateCommand(p.store, existing, { shape: { kind: 'bbox', x: 7, y: 0, w: 5, h: 5 } }));
    await p.settle();
    expect(statusText(p.queue.status)).toBe('Not saved: create[1].geometry: invalid');
    expect(p.queue.refusedCount).toBe(1);
    expect(server.rows.size).toBe(1); // all or nothing: none of the three went in
    await p.queue.discardRefused();
    await p.settle();
    expect(p.queue.refusedCount).toBe(0);
    expect(statusText(p.queue.status)).toBe('Saved');
    expect(p.store.get('bad')).toBeUndefined(); // never on the server: gone from the page too
    expect(p.store.get('good')?.id).not.toBeNull();
    expect([...server.rows.values()].map((r) => (r.geometry as { x: number }).x).sort((a, b) => a - b)).toEqual([7, 10]);
  });

  it('a refused edit of a saved annotation goes back to the server version when discarded', async () => {
    const server = new FakeServer();
    server.add({ label: 1, geometry: { x: 0, y: 0, w: 5, h: 5 } });
    const p = await page(server, freshStorage());
    const key = p.store.all()[0]!.key;
    server.mode = 409; // e.g. image_locked: no field named, the whole batch is refused
    p.stack.execute(updateCommand(p.store, key, { shape: { kind: 'bbox', x: 9, y: 0, w: 5, h: 5 } }));
    await p.settle();
    expect(p.queue.refusedCount).toBe(1);
    server.mode = 'ok';
    await p.queue.discardRefused();
    await p.settle();
    expect(p.store.get(key)?.shape).toEqual({ kind: 'bbox', x: 0, y: 0, w: 5, h: 5 });
    expect(p.queue.pending).toHaveLength(0);
    expect(server.requests).toHaveLength(1); // nothing was sent again
  });
});

describe('status after a reload', () => {
  it('reads "Saving…" from the moment restored changes are shown until they are sent', async () => {
    const server = new FakeServer();
    const storage = freshStorage();
    await drawAndLeave(server, storage, 'offline');
    const store = new AnnotationStore();
    const timers = new ManualTimers();
    const queue = await SaveQueue.open({ imageId: 1, store, transport: server, kindOf: () => 'bbox', storage, timers });
    queue.load(await server.annotations());
    expect(statusText(queue.status)).toBe('Saving…');
    expect(store.get('a')).toBeDefined();
  });
});
