// Annotation state of one image: autosaving boxes, deleting, and undo/redo backed by the REST API.
import { ApiError } from '../api/client';
import type { Annotation, AnnotationCreate } from '../api/types';
import type { Rect } from '../core/geometry';
import * as hist from '../core/history';
import type { StatusKind } from './status';

/** The calls the editor makes; ApiClient satisfies it, tests pass a fake. */
export interface EditorApi {
  createAnnotation(imageId: number, data: AnnotationCreate): Promise<Annotation>;
  deleteAnnotation(annotation: Pick<Annotation, 'id' | 'version'>): Promise<void>;
}

/** A user action that can be undone: a box that was created or deleted. */
export interface Entry {
  op: 'create' | 'delete';
  annotation: Annotation;
}

export interface EditorListener {
  /** Annotations, pending boxes or undo/redo availability changed. */
  onChange(): void;
  onStatus(kind: StatusKind, text: string, title?: string): void;
  /** A write (create, delete, undo or redo) succeeded on the server. */
  onSaved?(): void;
  /** The server refused a write because the image is locked for review (409 image_locked). */
  onLocked?(err: ApiError): void;
}

export const IMAGE_LOCKED = 'image_locked';

function errorText(err: unknown): { text: string; title: string } {
  if (err instanceof ApiError) {
    const fields = Object.entries(err.errors).map(([f, m]) => `${f}: ${m.join(' ')}`);
    return { text: err.detail, title: fields.join('\n') };
  }
  return { text: err instanceof Error ? err.message : String(err), title: '' };
}

export class AnnotationEditor {
  annotations: Annotation[];
  /** Boxes sent to the server and not yet answered. */
  pending: Rect[] = [];
  private history: hist.History<Entry> = hist.createHistory<Entry>(100);
  private inFlight = 0;
  private lastFailed = false;

  constructor(
    private readonly api: EditorApi,
    private readonly imageId: number,
    initial: Annotation[],
    private readonly listener: EditorListener,
  ) {
    this.annotations = [...initial];
  }

  get busy(): boolean {
    return this.inFlight > 0;
  }

  get canUndo(): boolean {
    return !this.busy && hist.canUndo(this.history);
  }

  get canRedo(): boolean {
    return !this.busy && hist.canRedo(this.history);
  }

  /** Autosave a freshly drawn box on `frame`; resolves to the stored annotation, or null on failure. */
  async createBox(rect: Rect, labelId: number, frame = 0): Promise<Annotation | null> {
    this.pending = [...this.pending, rect];
    const geometry = { x: rect.x, y: rect.y, w: rect.w, h: rect.h };
    return this.create({ label: labelId, frame, geometry, attributes: {} }, () => {
      this.pending = this.pending.filter((r) => r !== rect);
    });
  }

  /** Autosave any other finished shape (a Length ruler as a polyline); null on failure. */
  createShape(geometry: AnnotationCreate['geometry'], labelId: number, frame: number): Promise<Annotation | null> {
    return this.create({ label: labelId, frame, geometry, attributes: {} });
  }

  private async create(data: AnnotationCreate, always?: () => void): Promise<Annotation | null> {
    const saved = await this.run(
      'Saving…',
      'Saved',
      async () => {
        const created = await this.api.createAnnotation(this.imageId, data);
        this.annotations = [...this.annotations, created];
        this.history = hist.push(this.history, { op: 'create', annotation: created });
        return created;
      },
      always,
    );
    return saved ?? null;
  }

  async remove(id: number): Promise<boolean> {
    const annotation = this.annotations.find((a) => a.id === id);
    if (!annotation) return false;
    const ok = await this.run('Deleting…', 'Deleted', async () => {
      await this.deleteOnServer(annotation);
      this.history = hist.push(this.history, { op: 'delete', annotation });
      return true;
    });
    return ok ?? false;
  }

  async undo(): Promise<boolean> {
    if (!this.canUndo) return false;
    const step = hist.undo(this.history);
    const entry = step.entry;
    if (!entry) return false;
    const ok = await this.run('Undoing…', 'Undone', async () => {
      this.history = await this.revert(entry, step.history, entry.op === 'create' ? 'delete' : 'create');
      return true;
    });
    return ok ?? false;
  }

  async redo(): Promise<boolean> {
    if (!this.canRedo) return false;
    const step = hist.redo(this.history);
    const entry = step.entry;
    if (!entry) return false;
    const ok = await this.run('Redoing…', 'Redone', async () => {
      this.history = await this.revert(entry, step.history, entry.op);
      return true;
    });
    return ok ?? false;
  }

  /** Apply `action` for `entry` on the server and return the history to commit. */
  private async revert(entry: Entry, next: hist.History<Entry>, action: 'create' | 'delete'): Promise<hist.History<Entry>> {
    const old = entry.annotation;
    if (action === 'delete') {
      const current = this.annotations.find((a) => a.id === old.id) ?? old;
      await this.deleteOnServer(current);
      return next;
    }
    const created = await this.api.createAnnotation(this.imageId, {
      label: old.label,
      frame: old.frame,
      geometry: old.geometry as AnnotationCreate['geometry'],
      attributes: old.attributes,
    });
    this.annotations = [...this.annotations, created];
    // The box came back with a new id: make older and newer entries point at it.
    return hist.mapEntries(next, (e) => (e.annotation.id === old.id ? { ...e, annotation: created } : e));
  }

  private async deleteOnServer(annotation: Annotation): Promise<void> {
    try {
      await this.api.deleteAnnotation(annotation);
    } catch (err) {
      // Already gone on the server: the user's intent is fulfilled.
      if (!(err instanceof ApiError && err.status === 404)) throw err;
    }
    this.annotations = this.annotations.filter((a) => a.id !== annotation.id);
  }

  /** Run one server operation with status reporting; state is only changed inside `work` on success. */
  private async run<T>(busyText: string, doneText: string, work: () => Promise<T>, always?: () => void): Promise<T | undefined> {
    this.inFlight += 1;
    this.listener.onStatus('busy', busyText);
    this.listener.onChange();
    try {
      const result = await work();
      this.lastFailed = false;
      this.listener.onSaved?.();
      return result;
    } catch (err) {
      this.lastFailed = true;
      const { text, title } = errorText(err);
      this.listener.onStatus('error', text, title);
      if (err instanceof ApiError && err.code === IMAGE_LOCKED) this.listener.onLocked?.(err);
      return undefined;
    } finally {
      this.inFlight -= 1;
      always?.();
      if (!this.lastFailed) this.listener.onStatus(this.busy ? 'busy' : 'ok', this.busy ? busyText : doneText);
      this.listener.onChange();
    }
  }
}
