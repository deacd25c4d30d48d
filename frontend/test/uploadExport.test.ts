// Upload planning, export options, reading a zip's card and the new routes.
import { describe, expect, it } from 'vitest';
import { exportBody, type ExportForm } from '../src/core/exportOptions';
import { parseRoute, routeHref } from '../src/core/routes';
import { folderOf, planUpload, RESUMABLE_BYTES, spreadProgress } from '../src/core/uploadPlan';
import { readZipText } from '../src/core/zipEntry';

const f = (path: string, size: number) => ({ file: { name: path.split('/').pop() ?? path, size }, path });

describe('planUpload', () => {
  it('keeps a folder in one request, batches loose files, sends big files resumable', () => {
    const steps = planUpload([f('ct/1.dcm', 500), f('ct/2.dcm', 500), f('a.png', 10), f('b.png', 10), f('slide.svs', RESUMABLE_BYTES)]);
    const multipart = steps.filter((s) => s.kind === 'multipart');
    expect(multipart.map((s) => (s.kind === 'multipart' ? s.files.map((x) => x.path) : []))).toEqual([
      ['ct/1.dcm', 'ct/2.dcm'],
      ['a.png', 'b.png'],
    ]);
    expect(steps.filter((s) => s.kind === 'resumable').map((s) => (s.kind === 'resumable' ? s.file.path : ''))).toEqual(['slide.svs']);
  });

  it('names the folder of a path', () => {
    expect(folderOf('study/series/IM1')).toBe('study/series');
    expect(folderOf('IM1')).toBe('');
  });
});

describe('spreadProgress', () => {
  it('fills files in order and reaches 100 for all at the end', () => {
    expect(spreadProgress([100, 100], 0, 220)).toEqual([0, 0]);
    expect(spreadProgress([100, 100], 110, 220)).toEqual([100, 0]);
    expect(spreadProgress([100, 100], 220, 220)).toEqual([100, 100]);
  });
});

const base: ExportForm = {
  format: 'coco',
  onlyAccepted: true,
  includeImages: false,
  frames: 'all',
  splitBy: '',
  train: 0.7,
  val: 0.15,
  test: 0.15,
  holdout: '',
  folds: 0,
  seed: 0,
  version: '',
};

describe('exportBody', () => {
  it('sends the options the API names', () => {
    expect(exportBody(base)).toEqual({ body: { format: 'coco', options: { only_accepted: true, include_images: false } } });
    expect(exportBody({ ...base, frames: 'annotated' })).toEqual({
      body: { format: 'coco', options: { only_accepted: true, include_images: false, frames: 'annotated' } },
    });
    const split = exportBody({ ...base, splitBy: 'site', holdout: 'site-b, site-c', folds: 5, version: '3' });
    expect(split).toEqual({
      body: {
        format: 'coco',
        options: {
          only_accepted: true,
          include_images: false,
          version: 3,
          split: { train: 0.7, val: 0.15, test: 0.15, by: 'site', seed: 0, holdout: ['site-b', 'site-c'], folds: 5 },
        },
      },
    });
  });

  it('names the mistakes', () => {
    expect(exportBody({ ...base, splitBy: 'patient', train: 0.9 })).toEqual({ problems: ['Train, validation and test must add up to 1.'] });
    expect(exportBody({ ...base, splitBy: 'patient', holdout: 'x' })).toEqual({ problems: ['Hold-out sites need the split by site.'] });
    expect(exportBody({ ...base, splitBy: 'patient', folds: 1 })).toEqual({ problems: ['Folds is 0 (none) or a whole number from 2 to 20.'] });
  });
});

async function deflateRaw(raw: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([new Uint8Array(raw)]).stream().pipeThrough(new CompressionStream('deflate-raw'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** A one-file zip built by hand (local header, data, central directory, end record). */
async function zipOf(name: string, text: string, deflate: boolean): Promise<ArrayBuffer> {
  const raw = new TextEncoder().encode(text);
  const data = deflate ? await deflateRaw(raw) : raw;
  const nameBytes = new TextEncoder().encode(name);
  const total = 30 + nameBytes.length + data.length + 46 + nameBytes.length + 22;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  const method = deflate ? 8 : 0;
  view.setUint32(0, 0x04034b50, true);
  view.setUint16(8, method, true);
  view.setUint32(18, data.length, true);
  view.setUint32(22, raw.length, true);
  view.setUint16(26, nameBytes.length, true);
  out.set(nameBytes, 30);
  out.set(data, 30 + nameBytes.length);
  const cd = 30 + nameBytes.length + data.length;
  view.setUint32(cd, 0x02014b50, true);
  view.setUint16(cd + 10, method, true);
  view.setUint32(cd + 20, data.length, true);
  view.setUint32(cd + 24, raw.length, true);
  view.setUint16(cd + 28, nameBytes.length, true);
  view.setUint32(cd + 42, 0, true);
  out.set(nameBytes, cd + 46);
  const end = cd + 46 + nameBytes.length;
  view.setUint32(end, 0x06054b50, true);
  view.setUint16(end + 8, 1, true);
  view.setUint16(end + 10, 1, true);
  view.setUint32(end + 12, 46 + nameBytes.length, true);
  view.setUint32(end + 16, cd, true);
  return out.buffer;
}

describe('readZipText', () => {
  it('reads a stored and a deflated entry, and answers null for a missing one', async () => {
    expect(await readZipText(await zipOf('README.md', '# Card\n', false), 'README.md')).toBe('# Card\n');
    expect(await readZipText(await zipOf('README.md', '# Card\n'.repeat(50), true), 'README.md')).toBe('# Card\n'.repeat(50));
    expect(await readZipText(await zipOf('other.txt', 'x', false), 'README.md')).toBeNull();
  });
});

describe('routes', () => {
  it('parses and builds the upload and export pages', () => {
    expect(parseRoute('#/projects/4/upload')).toEqual({ name: 'upload', id: 4 });
    expect(parseRoute('#/projects/4/export')).toEqual({ name: 'export', id: 4 });
    expect(routeHref({ name: 'upload', id: 4 })).toBe('#/projects/4/upload');
    expect(parseRoute('#/projects/4/elsewhere').name).toBe('not-found');
  });
});
