// The resumable upload goes on from the server's offset for a file remembered from before a reload.
import { describe, expect, it, vi } from 'vitest';
import { ApiClient } from '../src/api/client';
import { ResumableUpload, rememberedUploads } from '../src/api/uploads';
import { resumeKey } from '../src/core/uploadPlan';

class MemoryStore {
  readonly items = new Map<string, string>();
  get length(): number {
    return this.items.size;
  }
  key(i: number): string | null {
    return [...this.items.keys()][i] ?? null;
  }
  getItem(k: string): string | null {
    return this.items.get(k) ?? null;
  }
  setItem(k: string, v: string): void {
    this.items.set(k, v);
  }
  removeItem(k: string): void {
    this.items.delete(k);
  }
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });

describe('ResumableUpload', () => {
  it('resumes a remembered upload at the server offset, in chunks, then completes and forgets it', async () => {
    const file = new File([new Uint8Array(10).map((_, i) => i)], 'big.svs', { lastModified: 5 });
    const store = new MemoryStore();
    store.setItem(resumeKey(7, file), '42');
    expect(rememberedUploads(7, store)).toEqual(['big.svs']);
    const sent: { offset: string; bytes: number[] }[] = [];
    const fetchImpl = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = String(input);
      const method = init?.method ?? 'GET';
      if (method === 'GET' && url.endsWith('/uploads/42/')) {
        return json({ id: 42, filename: 'big.svs', size: 10, offset: 4, status: 'open', upload_url: '', chunk_size: 3 });
      }
      if (method === 'PATCH') {
        const headers = init?.headers as Record<string, string>;
        const bytes = [...new Uint8Array(await (init?.body as Blob).arrayBuffer())];
        sent.push({ offset: headers['Upload-Offset'] ?? '', bytes });
        return new Response(null, { status: 204, headers: { 'Upload-Offset': String(Number(headers['Upload-Offset']) + bytes.length) } });
      }
      if (method === 'POST' && url.endsWith('/uploads/42/complete/')) return json({ images: [{ id: 1 }], rejected: [] }, 201);
      throw new Error(`unexpected ${method} ${url}`);
    });
    const api = new ApiClient({ fetch: fetchImpl as unknown as typeof fetch, cookies: () => '' });
    const progress: number[] = [];
    const upload = new ResumableUpload(api, 7, file, '', { progress: (s) => progress.push(s), state: () => undefined }, store);
    const result = await upload.run();
    expect(sent).toEqual([
      { offset: '4', bytes: [4, 5, 6] },
      { offset: '7', bytes: [7, 8, 9] },
    ]);
    expect(progress).toEqual([4, 7, 10]);
    expect(result.images).toHaveLength(1);
    expect(store.items.size).toBe(0);
  });
});
