// Where the save queue keeps unsent changes across a reload: IndexedDB in the browser, memory in tests.
import type { AnnotationState } from './store';

/** One queued change. `sent` marks a change that was on its way when the page went away (outcome unknown). */
export interface QueuedOp {
  readonly seq: number;
  readonly key: string;
  type: 'create' | 'update' | 'delete';
  state: AnnotationState | null;
  sent: boolean;
}

export interface SavedQueue {
  readonly imageId: number;
  readonly ops: QueuedOp[];
  /** Server id and version of the keys the ops touch, so a reload can map them back. */
  readonly known: Record<string, { id: number; version: number }>;
  readonly nextSeq: number;
}

export interface QueueStorage {
  load(imageId: number): Promise<SavedQueue | null>;
  save(queue: SavedQueue): Promise<void>;
  remove(imageId: number): Promise<void>;
}

export class MemoryQueueStorage implements QueueStorage {
  private readonly data = new Map<number, string>();

  async load(imageId: number): Promise<SavedQueue | null> {
    const text = this.data.get(imageId);
    return text ? (reviveQueue(JSON.parse(text)) as SavedQueue) : null;
  }

  async save(queue: SavedQueue): Promise<void> {
    this.data.set(queue.imageId, JSON.stringify(queue, replacer));
  }

  async remove(imageId: number): Promise<void> {
    this.data.delete(imageId);
  }
}

// Mask bitmaps are Uint8Arrays; JSON (MemoryQueueStorage) needs them spelled out. IndexedDB clones them natively.
function replacer(_key: string, value: unknown): unknown {
  return value instanceof Uint8Array ? { $bits: Array.from(value) } : value;
}

function reviveQueue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reviveQueue);
  if (typeof value === 'object' && value !== null) {
    const o = value as Record<string, unknown>;
    if (Array.isArray(o.$bits)) return Uint8Array.from(o.$bits as number[]);
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, reviveQueue(v)]));
  }
  return value;
}

const DB_NAME = 'annotator-save-queue';
const STORE = 'queues';

function promised<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
  });
}

/** One object store, one record per image (keyPath imageId); every save is one small transaction. */
export class IndexedDbQueueStorage implements QueueStorage {
  private db: Promise<IDBDatabase> | null = null;

  constructor(
    private readonly factory: IDBFactory = globalThis.indexedDB,
    private readonly name: string = DB_NAME,
  ) {}

  private open(): Promise<IDBDatabase> {
    if (!this.db) {
      const request = this.factory.open(this.name, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: 'imageId' });
      this.db = promised(request);
    }
    return this.db;
  }

  private async run<T>(mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
    const db = await this.open();
    const tx = db.transaction(STORE, mode);
    const result = promised(fn(tx.objectStore(STORE)));
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    });
    return result;
  }

  async load(imageId: number): Promise<SavedQueue | null> {
    return ((await this.run('readonly', (s) => s.get(imageId))) as SavedQueue | undefined) ?? null;
  }

  async save(queue: SavedQueue): Promise<void> {
    await this.run('readwrite', (s) => s.put(queue));
  }

  async remove(imageId: number): Promise<void> {
    await this.run('readwrite', (s) => s.delete(imageId));
  }

  close(): void {
    void this.db?.then((db) => db.close());
    this.db = null;
  }
}
