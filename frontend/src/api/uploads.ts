// Resumable upload of one big file through /uploads/: chunks at Upload-Offset, pause, resume after a drop or a reload.
import { resumeKey } from '../core/uploadPlan';
import { API_ROOT, ApiError, isAbortError, type ApiClient } from './client';
import type { ResumableInfo, UploadResult } from './types';

/** The largest chunk the page sends, below the server's own limit. */
export const MAX_CHUNK = 8 * 1024 * 1024;
const RETRY_MS = [1000, 2000, 4000, 8000, 15000];

export type ResumableState = 'uploading' | 'paused' | 'offline' | 'processing' | 'done' | 'failed';

export interface ResumableEvents {
  progress(sent: number, size: number): void;
  state(state: ResumableState, detail?: string): void;
}

/** Where the remembered upload ids live; injectable for tests. */
export interface KeyStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      window.removeEventListener('online', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    window.addEventListener('online', done, { once: true });
    signal.addEventListener('abort', done, { once: true });
  });
}

export class ResumableUpload {
  private controller = new AbortController();
  private paused = false;
  private wake: (() => void) | null = null;
  offset = 0;

  constructor(
    private readonly api: ApiClient,
    private readonly projectId: number,
    readonly file: File,
    private readonly site: string,
    private readonly events: ResumableEvents,
    private readonly store: KeyStore = window.localStorage,
  ) {}

  get key(): string {
    return resumeKey(this.projectId, this.file);
  }

  pause(): void {
    this.paused = true;
    this.controller.abort();
    this.events.state('paused');
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.controller = new AbortController();
    this.wake?.();
  }

  /** Stop for good: the server drops the bytes it has. */
  async cancel(): Promise<void> {
    this.paused = true;
    this.controller.abort();
    const id = this.store.getItem(this.key);
    this.store.removeItem(this.key);
    if (id) await this.api.request('DELETE', `${API_ROOT}/uploads/${id}/`).catch(() => undefined);
  }

  /** Upload every byte (resuming a remembered upload of the same file) and complete it. */
  async run(): Promise<UploadResult> {
    let info = await this.openOrResume();
    const chunk = Math.min(MAX_CHUNK, info.chunk_size ?? MAX_CHUNK);
    let failures = 0;
    this.offset = info.offset;
    this.events.progress(this.offset, this.file.size);
    while (this.offset < this.file.size) {
      if (this.paused) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = null;
        info = await this.status(info.id); // the server is the truth about what arrived
        this.offset = info.offset;
      }
      this.events.state('uploading');
      const end = Math.min(this.file.size, this.offset + chunk);
      try {
        const res = await this.api.patchBytes(
          `${API_ROOT}/uploads/${info.id}/`,
          this.file.slice(this.offset, end),
          { 'Content-Type': 'application/offset+octet-stream', 'Upload-Offset': String(this.offset) },
          this.controller.signal,
        );
        this.offset = Number(res.headers.get('Upload-Offset') ?? end);
        failures = 0;
        this.events.progress(this.offset, this.file.size);
      } catch (err) {
        if (isAbortError(err) && this.paused) continue;
        if (err instanceof ApiError && err.status === 409 && err.code !== 'incomplete') {
          this.offset = (await this.status(info.id)).offset; // resume from where the server is
          continue;
        }
        if (!(err instanceof ApiError) || err.status !== 0 || failures >= 50) throw err;
        // The network dropped: wait (or until the browser is back online), then ask where to go on.
        this.events.state('offline', 'Offline — will resume');
        await wait(RETRY_MS[Math.min(failures, RETRY_MS.length - 1)] ?? 15000, this.controller.signal);
        failures += 1;
        try {
          this.offset = (await this.status(info.id)).offset;
        } catch {
          /* still offline: the next chunk attempt fails and waits again */
        }
      }
    }
    this.events.state('processing');
    const result = await this.api.request<UploadResult>('POST', `${API_ROOT}/uploads/${info.id}/complete/`);
    this.store.removeItem(this.key);
    return result;
  }

  private status(id: number): Promise<ResumableInfo> {
    return this.api.get<ResumableInfo>(`${API_ROOT}/uploads/${id}/`);
  }

  private async openOrResume(): Promise<ResumableInfo> {
    const remembered = this.store.getItem(this.key);
    if (remembered && /^\d+$/.test(remembered)) {
      try {
        const info = await this.status(Number(remembered));
        if (info.size === this.file.size && info.status === 'open') return info;
      } catch (err) {
        if (!(err instanceof ApiError) || ![404, 410].includes(err.status)) throw err;
      }
      this.store.removeItem(this.key); // expired, aborted or someone else's: start again
    }
    const info = await this.api.request<ResumableInfo>('POST', `${API_ROOT}/projects/${this.projectId}/uploads/`, {
      body: { filename: this.file.name, size: this.file.size, site: this.site },
    });
    this.store.setItem(this.key, String(info.id));
    return info;
  }
}

/** Names of files with an unfinished upload remembered in this browser for the project. */
export function rememberedUploads(projectId: number, store: KeyStore & { length: number; key(i: number): string | null }): string[] {
  const prefix = `annotator.upload.${projectId}.`;
  const names: string[] = [];
  for (let i = 0; i < store.length; i += 1) {
    const key = store.key(i);
    if (key?.startsWith(prefix)) names.push(key.slice(prefix.length).replace(/\.\d+\.\d+$/, ''));
  }
  return names;
}
