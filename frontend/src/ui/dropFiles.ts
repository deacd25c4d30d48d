// Files and folders from a drop: walks dropped directories so a DICOM folder arrives as its files with their paths.
import type { Picked } from '../core/uploadPlan';

function readAll(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  // readEntries answers in batches (about 100 in Chromium): call it until it answers none.
  return new Promise((resolve, reject) => {
    const all: FileSystemEntry[] = [];
    const next = (): void =>
      reader.readEntries((batch) => {
        if (batch.length === 0) resolve(all);
        else {
          all.push(...batch);
          next();
        }
      }, reject);
    next();
  });
}

async function walk(entry: FileSystemEntry, out: Picked<File>[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    out.push({ file, path: entry.fullPath.replace(/^\//, '') || file.name });
  } else if (entry.isDirectory) {
    for (const child of await readAll((entry as FileSystemDirectoryEntry).createReader())) await walk(child, out);
  }
}

/** Every file of a drop, with folder paths kept (synthetic drops without entries fall back to the files). */
export async function pickedFromDrop(data: DataTransfer): Promise<Picked<File>[]> {
  const entries = [...data.items]
    .filter((item) => item.kind === 'file')
    .map((item) => (typeof item.webkitGetAsEntry === 'function' ? item.webkitGetAsEntry() : null));
  if (entries.length > 0 && entries.every((e) => e !== null)) {
    const out: Picked<File>[] = [];
    for (const entry of entries) await walk(entry as FileSystemEntry, out);
    return out;
  }
  return [...data.files].map((file) => ({ file, path: file.name }));
}
