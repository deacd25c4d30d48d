// Autosave: local store changes → ordered, coalesced bulk requests, kept in IndexedDB, retried, never doubled.
//
// Never a duplicate create. The bulk endpoint applies a request all or nothing, but has no idempotency
// key, so the one dangerous case is an answer that never arrived (network drop, timeout, a 5xx after
// the commit, a reload while the request was on its way). Such a batch is marked `sent` (and persisted
// so before it goes out) and is *not* simply resent: first the queue reads the image's annotations and
// checks whether the batch was applied — every create has a server annotation with the same label,
// frame and geometry that no local record owns, every update shows version+1 with our geometry, every
// delete is gone. All true: the batch is taken as saved (the new ids bound to their client keys). Else,
// because the request is atomic, nothing of it was applied and it is resent. Client keys, not server
// ids, name records everywhere else, so undo/redo and a reload keep working across ids the server gave.
import { ApiError } from '../api/client';
import type { Annotation, LabelKind } from '../api/types';
import { MemoryQueueStorage, type QueuedOp, type QueueStorage, type SavedQueue } from './saveStorage';
import type { SaveStatus } from './saveStatus';
export { statusText, type SaveStatus } from './saveStatus';
import { sameContent, wire, type BulkAnswer, type BulkRequest, type SaveTransport } from './saveTransport';
import {
  newKey,
  recordFromAnnotation,
  type AnnotationRecord,
  type AnnotationState,
  type AnnotationStore,
  type StoreChange,
} from './store';

export interface ConflictItem {
  readonly key: string;
  readonly id: number;
  /** My pending state (null: I deleted it). */
  readonly mine: AnnotationState | null;
  /** The server's current annotation (null: someone deleted it). */
  readonly theirs: Annotation | null;
}

/** A 412: both versions and the two ways out. Nothing is sent until one is chosen. */
export interface Conflict {
  readonly items: readonly ConflictItem[];
  /** Re-apply my changes on top of the server's versions (a deleted one is created again). */
  keepMine(): void;
  /** Drop my changes to these annotations and show the server's. */
  takeTheirs(): void;
}

export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export interface SaveQueueOptions {
  imageId: number;
  store: AnnotationStore;
  transport: SaveTransport;
  kindOf: (labelId: number) => LabelKind;
  storage?: QueueStorage;
  /** Wait this long after a change before sending, so quick edits go out as one request. */
  delayMs?: number;
  /** Retry delays: base × 2^attempt, at most max. */
  backoff?: { baseMs: number; maxMs: number };
  timers?: Timers;
  maxBatch?: number;
  /** A change the server refused for good (not a 412, not a network error): the page may react (a locked image). */
  onRejected?: (err: unknown) => void;
}

const realTimers: Timers = { set: (fn, ms) => setTimeout(fn, ms), clear: (h) => clearTimeout(h as number) };

export class SaveQueue {
  private ops: QueuedOp[] = [];
  private readonly known = new Map<string, { id: number; version: number }>();
  private nextSeq = 1;
  private inflight: Promise<void> | null = null;
  private timer: unknown = null;
  private attempt = 0;
  private blocked: 'failed' | 'conflict' | null = null;
  /** The batch of the request on its way (or the last one), and the changes the server refused for good. */
  private lastBatch: readonly QueuedOp[] = [];
  private refused: QueuedOp[] = [];
  private statusValue: SaveStatus = { kind: 'saved' };
  private conflictValue: Conflict | null = null;
  private persisted: Promise<void> = Promise.resolve();
  private readonly listeners = new Set<(s: SaveStatus) => void>();
  private readonly storage: QueueStorage;
  private readonly timers: Timers;
  private readonly unsubscribe: () => void;

  private constructor(private readonly o: SaveQueueOptions) {
    this.storage = o.storage ?? new MemoryQueueStorage();
    this.timers = o.timers ?? realTimers;
    this.unsubscribe = o.store.subscribe((changes) => this.onStore(changes));
  }

  /** A queue for one image with whatever a previous page left unsent in storage. */
  static async open(options: SaveQueueOptions): Promise<SaveQueue> {
    const queue = new SaveQueue(options);
    const saved = await queue.storage.load(options.imageId);
    if (saved) {
      queue.ops = saved.ops;
      queue.nextSeq = saved.nextSeq;
      for (const [key, v] of Object.entries(saved.known)) queue.known.set(key, v);
    }
    return queue;
  }

  get status(): SaveStatus {
    return this.statusValue;
  }

  get conflict(): Conflict | null {
    return this.conflictValue;
  }

  /** Changes not yet confirmed by the server. */
  get pending(): readonly QueuedOp[] {
    return this.ops;
  }

  onStatus(listener: (s: SaveStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Put the server's annotations into the store (keys of restored changes kept), then lay the unsent
   * changes over them so the page shows what the user did before the reload, and start sending.
   */
  load(annotations: readonly Annotation[]): void {
    if (this.ops.some((op) => op.sent)) this.reconcile(annotations); // binds what a lost answer created
    const keyOfId = new Map([...this.known].map(([key, v]) => [v.id, key]));
    const records = annotations.map((a) =>
      recordFromAnnotation(a, this.o.kindOf(a.label), keyOfId.get(a.id) ?? newKey()),
    );
    this.o.store.putServer(records);
    this.overlayPending();
    if (this.ops.length) this.setStatus({ kind: 'saving' }); // restored changes still to send
    this.schedule(0);
  }

  /** How many changes the server refused for good (a 4xx other than 412): "Discard" offers to drop them. */
  get refusedCount(): number {
    return this.blocked === 'failed' ? new Set(this.refused.map((op) => op.key)).size : 0;
  }

  /**
   * Give up the refused changes so the rest can go out: their queued ops are dropped and their records go
   * back to what the server has (a record the server never had disappears). Nothing else is touched.
   */
  async discardRefused(): Promise<void> {
    if (this.blocked !== 'failed') return;
    const keys = new Set(this.refused.map((op) => op.key));
    this.ops = this.ops.filter((op) => !keys.has(op.key));
    this.refused = [];
    for (const key of keys) {
      const k = this.known.get(key);
      const theirs = k ? await this.o.transport.annotation(k.id) : null;
      if (theirs) {
        this.known.set(key, { id: theirs.id, version: theirs.version });
        this.o.store.putServer([recordFromAnnotation(theirs, this.o.kindOf(theirs.label), key)]);
      } else {
        this.known.delete(key);
        this.o.store.dropServer(key);
      }
    }
    this.blocked = null;
    this.attempt = 0;
    this.setStatus(this.ops.length ? { kind: 'saving' } : { kind: 'saved' });
    this.persist();
    this.schedule(0);
  }

  /** Try again now (the "online" event, a click on the status, after a failure was fixed). */
  retryNow(): void {
    if (this.blocked === 'failed') this.blocked = null;
    this.attempt = 0;
    this.schedule(0);
  }

  /** Resolves once no request is on its way and every write to storage has finished (tests, page unload). */
  async idle(): Promise<void> {
    while (this.inflight) await this.inflight;
    await this.persisted;
  }

  destroy(): void {
    this.unsubscribe();
    if (this.timer !== null) this.timers.clear(this.timer);
  }

  /**
   * The page is left: stop listening, send what is pending now instead of at the next visit (batch after batch
   * while they go through), then stop. What cannot go (offline, refused, a conflict) stays in storage for the
   * next visit; no status or dialog reaches the page that is gone.
   */
  async close(): Promise<void> {
    this.unsubscribe();
    this.listeners.clear();
    for (let pass = 0; pass < 50 && this.ops.length > 0 && !this.blocked; pass++) {
      if (this.timer !== null) this.timers.clear(this.timer);
      this.timer = null;
      const before = this.ops.length;
      await this.flush();
      if (this.ops.length >= before) break; // nothing went through (offline): leave it for the next visit
    }
    await this.idle();
    if (this.timer !== null) this.timers.clear(this.timer);
    this.timer = null;
  }

  private overlayPending(): void {
    const latest = new Map<string, QueuedOp>();
    for (const op of this.ops) latest.set(op.key, op);
    const records: AnnotationRecord[] = [];
    for (const op of latest.values()) {
      const k = this.known.get(op.key);
      if (op.type === 'delete') this.o.store.dropServer(op.key);
      else if (op.state) records.push({ key: op.key, id: k?.id ?? null, version: k?.version ?? null, ...op.state });
    }
    this.o.store.putServer(records);
  }

  private onStore(changes: readonly StoreChange[]): void {
    let local = false;
    for (const c of changes) {
      if (c.origin === 'server') {
        // Pending changes stay based on the version they were made on: a newer one must end in a 412.
        const mine = this.ops.some((op) => op.key === c.key);
        if (!mine && c.after?.id != null && c.after.version != null) {
          this.known.set(c.key, { id: c.after.id, version: c.after.version });
        }
        continue;
      }
      local = true;
      if (!c.after) this.enqueue(c.key, 'delete', null);
      else this.enqueue(c.key, c.before ? 'update' : 'create', stateOnly(c.after));
    }
    if (local) {
      this.persist();
      this.setStatus(this.blocked ? this.statusValue : { kind: 'saving' });
      this.schedule(this.o.delayMs ?? 300);
    }
  }

  /** Fold a change into the last unsent one of the same key where that keeps the outcome identical. */
  private enqueue(key: string, type: QueuedOp['type'], state: AnnotationState | null): void {
    const last = [...this.ops].reverse().find((op) => op.key === key);
    if (last && !last.sent && last.type !== 'delete') {
      if (type === 'delete' && last.type === 'create') {
        this.ops = this.ops.filter((op) => op !== last); // never sent: nothing to delete on the server
        return;
      }
      if (type !== 'create') {
        last.type = type === 'delete' ? 'delete' : last.type;
        last.state = state;
        return;
      }
    }
    this.ops.push({ seq: this.nextSeq++, key, type, state, sent: false });
  }

  private schedule(ms: number): void {
    if (this.timer !== null) this.timers.clear(this.timer);
    this.timer = this.timers.set(() => {
      this.timer = null;
      void this.flush();
    }, ms);
  }

  private flush(): Promise<void> {
    if (this.inflight || this.blocked) return this.inflight ?? Promise.resolve();
    this.inflight = this.run().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  private async run(): Promise<void> {
    try {
      if (this.ops.some((op) => op.sent)) await this.settleUncertain();
      const batch = this.nextBatch();
      if (batch.length === 0) {
        if (this.ops.length === 0) this.setStatus({ kind: 'saved' });
        return;
      }
      this.setStatus({ kind: 'saving' });
      for (const op of batch) op.sent = true;
      this.lastBatch = batch;
      this.persist();
      await this.persisted; // a reload from here on knows the outcome is uncertain
      const answer = await this.o.transport.bulk(this.o.imageId, this.request(batch));
      this.settle(batch, answer);
      this.attempt = 0;
      this.persist();
      this.schedule(0);
    } catch (err) {
      await this.failed(err);
    }
  }

  private async failed(err: unknown): Promise<void> {
    const status = err instanceof ApiError ? err.status : 0;
    if (status === 412) {
      for (const op of this.ops) op.sent = false; // all or nothing: none of it was applied
      this.persist();
      await this.openConflict();
    } else if (status === 0 || status >= 500 || status === 408 || status === 429) {
      const { baseMs, maxMs } = this.o.backoff ?? { baseMs: 1000, maxMs: 60_000 };
      const wait = Math.min(maxMs, baseMs * 2 ** this.attempt);
      this.attempt += 1;
      this.setStatus({ kind: 'offline', retryInMs: wait });
      this.schedule(wait);
    } else {
      for (const op of this.ops) op.sent = false;
      this.persist();
      this.blocked = 'failed';
      this.refused = refusedOps(this.lastBatch, err);
      this.setStatus({ kind: 'failed', reason: err instanceof Error ? err.message : String(err) });
      this.o.onRejected?.(err);
    }
  }

  /** Unsent ops in order, up to the first that must wait for an earlier one (an id still to come). */
  private nextBatch(): QueuedOp[] {
    const batch: QueuedOp[] = [];
    const keys = new Set<string>();
    for (const op of [...this.ops]) {
      if (batch.length >= (this.o.maxBatch ?? 500) || keys.has(op.key)) break;
      if (op.type !== 'create' && !this.known.has(op.key)) {
        const earlier = this.ops.some((o) => o.key === op.key && o.seq < op.seq);
        if (earlier) break;
        // Its server copy is gone (e.g. "keep mine" after their delete): an update becomes a create.
        if (op.type === 'delete') {
          this.ops = this.ops.filter((o) => o !== op);
          continue;
        }
        op.type = 'create';
      }
      keys.add(op.key);
      batch.push(op);
    }
    return batch;
  }

  private request(batch: readonly QueuedOp[]): BulkRequest {
    const body: BulkRequest = { create: [], update: [], delete: [] };
    for (const op of batch) {
      const k = this.known.get(op.key);
      if (op.type === 'delete') body.delete.push({ id: k!.id, version: k!.version });
      else if (op.type === 'create') body.create.push(wire(op.state!));
      else body.update.push({ id: k!.id, version: k!.version, ...wire(op.state!) });
    }
    return body;
  }

  private settle(batch: readonly QueuedOp[], answer: BulkAnswer): void {
    const creates = batch.filter((op) => op.type === 'create');
    creates.forEach((op, i) => this.bind(op.key, answer.created[i]!));
    for (const a of answer.updated) {
      const op = batch.find((o) => o.type === 'update' && this.known.get(o.key)?.id === a.id);
      if (op) this.bind(op.key, a);
    }
    for (const op of batch) if (op.type === 'delete') this.known.delete(op.key);
    this.ops = this.ops.filter((op) => !batch.includes(op));
  }

  private bind(key: string, a: Annotation): void {
    this.known.set(key, { id: a.id, version: a.version });
    this.o.store.acknowledge(key, a.id, a.version);
  }

  /** A batch whose answer never came: find out from the server whether it was applied (see the top). */
  private async settleUncertain(): Promise<void> {
    this.reconcile(await this.o.transport.annotations(this.o.imageId));
  }

  private reconcile(server: readonly Annotation[]): void {
    const sent = this.ops.filter((op) => op.sent);
    const byId = new Map(server.map((a) => [a.id, a]));
    const owned = new Set([...this.known.values()].map((v) => v.id));
    const claimed = new Set<number>();
    const created: Annotation[] = [];
    const updated: Annotation[] = [];
    const applied = sent.every((op) => {
      const k = this.known.get(op.key);
      if (op.type === 'delete') return k !== undefined && !byId.has(k.id);
      const want = wire(op.state!);
      if (op.type === 'update') {
        const a = k && byId.get(k.id);
        if (!a || a.version !== k.version + 1 || !sameContent(a, want)) return false;
        updated.push(a);
        return true;
      }
      const a = server.find((s) => !owned.has(s.id) && !claimed.has(s.id) && sameContent(s, want));
      if (!a) return false;
      claimed.add(a.id);
      created.push(a);
      return true;
    });
    if (applied) this.settle(sent, { created, updated, deleted: [] });
    else for (const op of sent) op.sent = false;
    this.persist();
  }

  private async openConflict(): Promise<void> {
    const items: ConflictItem[] = [];
    for (const op of this.ops) {
      const k = this.known.get(op.key);
      if (op.type === 'create' || !k || items.some((i) => i.key === op.key)) continue;
      const theirs = await this.o.transport.annotation(k.id);
      if (theirs && theirs.version === k.version) continue;
      items.push({ key: op.key, id: k.id, mine: op.state, theirs });
    }
    const resolve = (keepMine: boolean) => {
      for (const item of items) this.resolveItem(item, keepMine);
      this.conflictValue = null;
      this.blocked = null;
      this.setStatus(this.ops.length ? { kind: 'saving' } : { kind: 'saved' });
      this.persist();
      this.schedule(0);
    };
    this.conflictValue = { items, keepMine: () => resolve(true), takeTheirs: () => resolve(false) };
    this.blocked = 'conflict';
    this.setStatus({ kind: 'conflict' });
  }

  private resolveItem(item: ConflictItem, keepMine: boolean): void {
    if (keepMine) {
      if (item.theirs) this.known.set(item.key, { id: item.id, version: item.theirs.version });
      else this.known.delete(item.key);
      return;
    }
    this.ops = this.ops.filter((op) => op.key !== item.key);
    if (item.theirs) {
      this.o.store.putServer([recordFromAnnotation(item.theirs, this.o.kindOf(item.theirs.label), item.key)]);
    } else {
      this.known.delete(item.key);
      this.o.store.dropServer(item.key);
    }
  }

  private persist(): void {
    const snapshot: SavedQueue = {
      imageId: this.o.imageId,
      ops: this.ops.map((op) => ({ ...op })),
      known: Object.fromEntries([...this.known].filter(([key]) => this.ops.some((op) => op.key === key))),
      nextSeq: this.nextSeq,
    };
    const write = () =>
      snapshot.ops.length ? this.storage.save(snapshot) : this.storage.remove(this.o.imageId);
    this.persisted = this.persisted.then(write, write);
  }

  private setStatus(status: SaveStatus): void {
    this.statusValue = status;
    for (const l of this.listeners) l(status);
  }
}

/**
 * The ops of a refused batch that the server named (`errors` keys like `create[0].geometry` count within
 * the request's create, update and delete lists); all of the batch when it named none (e.g. image_locked).
 */
export function refusedOps(batch: readonly QueuedOp[], err: unknown): QueuedOp[] {
  const lists: Record<string, QueuedOp[]> = {
    create: batch.filter((op) => op.type === 'create'),
    update: batch.filter((op) => op.type === 'update'),
    delete: batch.filter((op) => op.type === 'delete'),
  };
  const named = new Set<QueuedOp>();
  for (const field of Object.keys(err instanceof ApiError ? err.errors : {})) {
    const m = /^(create|update|delete)\[(\d+)\]/.exec(field);
    const op = m ? lists[m[1]!]?.[Number(m[2])] : undefined;
    if (op) named.add(op);
  }
  return named.size ? [...named] : [...batch];
}

function stateOnly(r: AnnotationState): AnnotationState {
  return { label: r.label, frame: r.frame, shape: r.shape, attributes: r.attributes };
}
