// The annotation store of one image: records keyed by a client key that outlives server ids and versions.
import type { LabelKind } from '../api/types';
import { parseGeometry } from './shapes/adapter';
import type { Shape } from './shapes/model';

/** What a change edits: everything the user owns about an annotation. */
export interface AnnotationState {
  readonly label: number;
  readonly frame: number;
  readonly shape: Shape;
  readonly attributes: Readonly<Record<string, unknown>>;
}

export interface AnnotationRecord extends AnnotationState {
  /** Client key, fixed for the life of the record in this browser (also across undo/redo and reloads). */
  readonly key: string;
  /** Server id and version once the server knows it; null before the first save. */
  readonly id: number | null;
  readonly version: number | null;
}

/** `local`: a user change the save queue must send; `server`: what the server said (loads, acks). */
export type ChangeOrigin = 'local' | 'server';

export interface StoreChange {
  readonly key: string;
  readonly before: AnnotationRecord | null;
  readonly after: AnnotationRecord | null;
  readonly origin: ChangeOrigin;
}

export type StoreListener = (changes: readonly StoreChange[]) => void;

let counter = 0;
/** A key unique in this browser: time, a counter and randomness (crypto.randomUUID where there is one). */
export function newKey(): string {
  const c = globalThis.crypto as Crypto | undefined;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  counter += 1;
  return `k${Date.now().toString(36)}-${counter}-${Math.random().toString(36).slice(2)}`;
}

export class AnnotationStore {
  private readonly records = new Map<string, AnnotationRecord>();
  private readonly byId = new Map<number, string>();
  private readonly listeners = new Set<StoreListener>();

  get size(): number {
    return this.records.size;
  }

  get(key: string): AnnotationRecord | undefined {
    return this.records.get(key);
  }

  keyOfId(id: number): string | undefined {
    return this.byId.get(id);
  }

  all(): AnnotationRecord[] {
    return [...this.records.values()];
  }

  onFrame(frame: number): AnnotationRecord[] {
    return this.all().filter((r) => r.frame === frame);
  }

  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Set (state) or remove (null) the user-owned part of records; ids and versions are kept. */
  apply(edits: readonly { key: string; state: AnnotationState | null }[], origin: ChangeOrigin = 'local'): void {
    const changes: StoreChange[] = [];
    for (const { key, state } of edits) {
      const before = this.records.get(key) ?? null;
      const after: AnnotationRecord | null = state
        ? { key, id: before?.id ?? null, version: before?.version ?? null, ...pick(state) }
        : null;
      if (!before && !after) continue;
      this.write(key, after);
      changes.push({ key, before, after, origin });
    }
    this.emit(changes);
  }

  /** Records as the server has them (a load, an accepted save, "take theirs"): never sent back. */
  putServer(records: readonly AnnotationRecord[]): void {
    const changes = records.map((r) => {
      const before = this.records.get(r.key) ?? null;
      this.write(r.key, r);
      return { key: r.key, before, after: r, origin: 'server' as const };
    });
    this.emit(changes);
  }

  /** The server assigned an id/version (or a new version) to a record; no user-visible change. */
  acknowledge(key: string, id: number | null, version: number | null): void {
    const before = this.records.get(key);
    if (!before) return;
    this.write(key, { ...before, id, version });
  }

  /** Forget a record the server no longer has (deleted there), without sending anything. */
  dropServer(key: string): void {
    const before = this.records.get(key) ?? null;
    if (!before) return;
    this.write(key, null);
    this.emit([{ key, before, after: null, origin: 'server' }]);
  }

  private write(key: string, record: AnnotationRecord | null): void {
    const old = this.records.get(key);
    if (old?.id != null) this.byId.delete(old.id);
    if (record) {
      this.records.set(key, record);
      if (record.id != null) this.byId.set(record.id, key);
    } else {
      this.records.delete(key);
    }
  }

  private emit(changes: readonly StoreChange[]): void {
    if (changes.length === 0) return;
    for (const l of this.listeners) l(changes);
  }
}

function pick(state: AnnotationState): AnnotationState {
  return { label: state.label, frame: state.frame, shape: state.shape, attributes: state.attributes };
}

export function stateOf(record: AnnotationRecord): AnnotationState {
  return pick(record);
}

/** A store record of an annotation as the API lists it (key: an existing one for this id, else a new one). */
export function recordFromAnnotation(
  annotation: { id: number; version: number; label: number; frame: number; geometry: unknown; attributes: Record<string, unknown> },
  kind: LabelKind,
  key: string = newKey(),
): AnnotationRecord {
  return {
    key,
    id: annotation.id,
    version: annotation.version,
    label: annotation.label,
    frame: annotation.frame,
    shape: parseGeometry(kind, annotation.geometry),
    attributes: annotation.attributes,
  };
}
