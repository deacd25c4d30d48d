// Pure upload planning: big files go resumable, the rest in multipart batches that keep a folder (a DICOM series) together.

/** Anything with a name and a size: a File in the browser, a plain object in tests. */
export interface Sized {
  name: string;
  size: number;
}

export interface Picked<F extends Sized = Sized> {
  file: F;
  /** Path relative to what was dropped ("study/IM0001"), or the bare name for loose files. */
  path: string;
}

export type Step<F extends Sized = Sized> =
  | { kind: 'multipart'; files: Picked<F>[]; bytes: number }
  | { kind: 'resumable'; file: Picked<F> };

/** Files at or above this size go through the resumable protocol (chunks, pause, resume after a reload). */
export const RESUMABLE_BYTES = 16 * 1024 * 1024;
/** One multipart request holds at most this much, unless a single folder needs more to stay together. */
export const BATCH_BYTES = 256 * 1024 * 1024;
/** The server's default DATA_UPLOAD_MAX_NUMBER_FILES is 2000; stay below it. */
export const BATCH_FILES = 1000;

/** The folder a file came from: its path without the last part ("" for loose files). */
export function folderOf(path: string): string {
  const cut = path.lastIndexOf('/');
  return cut < 0 ? '' : path.slice(0, cut);
}

/**
 * Plan the requests of one pick. A folder's small files stay in one request (the server groups a
 * DICOM series only within one request); loose small files share batches; big files go alone, resumable.
 */
export function planUpload<F extends Sized>(picked: Picked<F>[], resumableBytes = RESUMABLE_BYTES): Step<F>[] {
  const steps: Step<F>[] = [];
  const byFolder = new Map<string, Picked<F>[]>();
  for (const item of picked) {
    if (item.file.size >= resumableBytes) {
      steps.push({ kind: 'resumable', file: item });
      continue;
    }
    const folder = folderOf(item.path);
    const list = byFolder.get(folder) ?? [];
    list.push(item);
    byFolder.set(folder, list);
  }
  const batches: Step<F>[] = [];
  let open: { kind: 'multipart'; files: Picked<F>[]; bytes: number } | null = null;
  for (const [folder, files] of byFolder) {
    const bytes = files.reduce((sum, f) => sum + f.file.size, 0);
    if (folder !== '' || open === null || open.bytes + bytes > BATCH_BYTES || open.files.length + files.length > BATCH_FILES) {
      // A folder (one series, or several) goes whole, split only by the file-count limit.
      for (let i = 0; i < files.length; i += BATCH_FILES) {
        const part = files.slice(i, i + BATCH_FILES);
        open = { kind: 'multipart', files: part, bytes: part.reduce((sum, f) => sum + f.file.size, 0) };
        batches.push(open);
      }
      if (folder !== '') open = null; // loose files never join a folder's request
      continue;
    }
    open.files.push(...files);
    open.bytes += bytes;
  }
  return [...batches, ...steps];
}

/**
 * Spread the bytes sent of one multipart body over its files, in order: the first files fill first.
 * Returns each file's percent (0–100).
 */
export function spreadProgress(sizes: number[], sent: number, total: number): number[] {
  const payload = sizes.reduce((a, b) => a + b, 0);
  // The body also carries boundaries and headers: scale what was sent to the files' bytes.
  let left = total > 0 ? (Math.min(sent, total) / total) * payload : 0;
  return sizes.map((size) => {
    if (size === 0) return left >= 0 ? 100 : 0;
    const part = Math.max(0, Math.min(size, left));
    left -= part;
    return Math.round((part / size) * 100);
  });
}

/** "12.5 MB" for people. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** The key a resumable upload is remembered under, so the same file picked after a reload resumes. */
export function resumeKey(projectId: number, file: { name: string; size: number; lastModified?: number }): string {
  return `annotator.upload.${projectId}.${file.name}.${file.size}.${file.lastModified ?? 0}`;
}
