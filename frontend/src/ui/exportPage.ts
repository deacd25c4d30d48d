// Export page (#/projects/{id}/export): format and options, progress, cancel, download, the dataset card, and history.
import { API_ROOT, isAbortError } from '../api/client';
import type { DatasetVersion, ExportJob } from '../api/types';
import { EXPORT_FORMATS, exportBody, type ExportForm } from '../core/exportOptions';
import { formatBytes } from '../core/uploadPlan';
import { readZipText } from '../core/zipEntry';
import { h, setChildren } from './dom';
import type { PageContext } from './page';
import { projectCrumb } from './projectCrumb';
import { progressBar } from './progressBar';
import { errorMessage } from './status';

const POLL_MS = 1000;
/** Zips up to this size are read in the page to show their card; bigger ones say where the card is. */
const CARD_MAX_BYTES = 64 * 1024 * 1024;
const FINISHED = new Set(['done', 'failed', 'cancelled']);

function field(id: string, label: string, control: HTMLElement, hint?: string): HTMLElement {
  return h('p', { class: 'field' }, h('label', { for: id }, label), control, hint ? h('span', { class: 'muted' }, ` ${hint}`) : null);
}

function checkbox(id: string, label: string, checked: boolean): [HTMLElement, HTMLInputElement] {
  const input = h('input', { id, type: 'checkbox', checked });
  return [h('p', { class: 'field' }, input, ' ', h('label', { for: id }, label)), input];
}

function numberInput(id: string, value: number, step: string): HTMLInputElement {
  return h('input', { id, type: 'number', value, step, min: 0, class: 'narrow' });
}

function historyRow(job: ExportJob): HTMLElement {
  const link = job.status === 'done' && job.download_url ? h('a', { href: job.download_url }, 'zip') : '';
  return h(
    'tr',
    {},
    h('td', {}, `#${job.id}`),
    h('td', {}, job.format),
    h('td', {}, job.status === 'failed' && job.error ? `failed: ${job.error}` : job.status),
    h('td', {}, new Date(job.created_at).toLocaleString()),
    h('td', {}, job.size ? formatBytes(job.size) : ''),
    h('td', { class: 'mono' }, job.sha256 ? job.sha256.slice(0, 12) : ''),
    h('td', {}, link),
  );
}

export async function mountExport(root: HTMLElement, ctx: PageContext, projectId: number): Promise<void> {
  const format = h('select', { id: 'export-format' }, ...EXPORT_FORMATS.map((f) => h('option', { value: f.value }, f.label)));
  const [acceptedRow, onlyAccepted] = checkbox('export-accepted', 'Only accepted', true);
  const [imagesRow, includeImages] = checkbox('export-images', 'Include images', true);
  const frames = h('select', { id: 'export-frames' }, h('option', { value: 'all' }, 'All frames'), h('option', { value: 'annotated' }, 'Annotated frames only'));
  const version = h('select', { id: 'export-version' }, h('option', { value: '' }, 'Current annotations'));
  const splitBy = h(
    'select',
    { id: 'export-split' },
    h('option', { value: '' }, 'No split'),
    h('option', { value: 'patient' }, 'By patient'),
    h('option', { value: 'site' }, 'By site'),
  );
  const train = numberInput('export-train', 0.7, '0.05');
  const val = numberInput('export-val', 0.15, '0.05');
  const test = numberInput('export-test', 0.15, '0.05');
  const holdout = h('input', { id: 'export-holdout', type: 'text', placeholder: 'site-b, site-c' });
  const folds = numberInput('export-folds', 0, '1');
  const seed = numberInput('export-seed', 0, '1');
  const splitFields = h(
    'fieldset',
    { class: 'split-fields' },
    h('legend', {}, 'Split'),
    field('export-train', 'Train', train),
    field('export-val', 'Validation', val),
    field('export-test', 'Test', test),
    field('export-holdout', 'Hold-out sites', holdout, 'comma-separated; kept whole in test (external validation)'),
    field('export-folds', 'Folds', folds, '0 for none; else cross-validation folds of train'),
    field('export-seed', 'Seed', seed),
  );
  const exportButton = h('button', { type: 'submit', class: 'button button-primary' }, 'Export');
  const problems = h('div', { 'aria-live': 'polite' });
  const bar = progressBar('Export progress');
  const statusText = h('p', { class: 'muted', 'data-testid': 'export-status', 'aria-live': 'polite' });
  const cancel = h('button', { type: 'button', class: 'button button-secondary', hidden: true }, 'Cancel');
  const download = h('p', {});
  const card = h('section', { 'aria-label': 'Dataset card', class: 'dataset-card' });
  const history = h('tbody', {});
  const versions = h('ul', { 'aria-label': 'Dataset versions' });
  const form = h(
    'form',
    { class: 'export-form' },
    field('export-format', 'Format', format),
    acceptedRow,
    imagesRow,
    field('export-frames', 'Frames', frames),
    field('export-version', 'Dataset version', version),
    field('export-split', 'Split', splitBy),
    splitFields,
    h('p', {}, exportButton),
    problems,
  );
  root.append(
    h(
      'div',
      { class: 'page export-page' },
      projectCrumb(ctx, projectId, 'Export'),
      h('h1', {}, 'Export a dataset'),
      form,
      h('section', { 'aria-label': 'Current export' }, bar.el, statusText, cancel, download),
      card,
      h('h2', {}, 'Exports'),
      h(
        'table',
        { class: 'history', 'aria-label': 'Export history' },
        h('thead', {}, h('tr', {}, ...['Export', 'Format', 'Status', 'Started', 'Size', 'SHA-256', 'Download'].map((t) => h('th', {}, t)))),
        history,
      ),
      h('h2', {}, 'Dataset versions'),
      versions,
    ),
  );
  const syncSplit = (): void => {
    splitFields.hidden = splitBy.value === '';
  };
  splitBy.addEventListener('change', syncSplit);
  syncSplit();

  const loadHistory = async (): Promise<void> => {
    const jobs = await ctx.api.listAll<ExportJob>(`${API_ROOT}/projects/${projectId}/exports/`, ctx.signal);
    jobs.sort((a, b) => b.id - a.id);
    setChildren(history, ...jobs.map(historyRow));
  };
  const loadVersions = async (): Promise<void> => {
    try {
      const list = await ctx.api.listAll<DatasetVersion>(`${API_ROOT}/projects/${projectId}/versions/`, ctx.signal);
      for (const v of list) version.append(h('option', { value: v.id }, `${v.name} (${new Date(v.created_at).toLocaleDateString()})`));
      setChildren(
        versions,
        ...(list.length > 0
          ? list.map((v) => h('li', {}, h('strong', {}, v.name), ` · ${new Date(v.created_at).toLocaleString()} · `, h('code', {}, v.sha256)))
          : [h('li', { class: 'muted' }, 'No versions yet.')]),
      );
    } catch (err) {
      if (isAbortError(err)) return;
      // A server without dataset versions yet: exports of the current annotations still work.
      setChildren(versions, h('li', { class: 'muted' }, 'Dataset versions are not available on this server.'));
    }
  };

  const showCard = async (job: ExportJob): Promise<void> => {
    if (!job.download_url) return;
    if (job.size !== null && job.size > CARD_MAX_BYTES) {
      setChildren(card, h('p', { class: 'muted' }, 'The dataset card is README.md at the root of the zip.'));
      return;
    }
    try {
      const res = await fetch(job.download_url, { credentials: 'same-origin', signal: ctx.signal });
      if (!res.ok) return;
      const buffer = await res.arrayBuffer();
      const text = (await readZipText(buffer, 'README.md')) ?? (await readZipText(buffer, 'dataset.json'));
      if (text !== null) setChildren(card, h('h2', {}, 'Dataset card'), h('pre', { class: 'card-text' }, text));
    } catch (err) {
      if (!isAbortError(err)) setChildren(card, h('p', { class: 'muted' }, 'The dataset card could not be read here; it is README.md in the zip.'));
    }
  };

  let timer: ReturnType<typeof setTimeout> | undefined;
  ctx.signal.addEventListener('abort', () => clearTimeout(timer));
  const follow = async (id: number): Promise<void> => {
    clearTimeout(timer);
    let job: ExportJob;
    try {
      job = await ctx.api.get<ExportJob>(`${API_ROOT}/exports/${id}/`, ctx.signal);
    } catch (err) {
      if (!isAbortError(err)) timer = setTimeout(() => void follow(id), POLL_MS * 3);
      return;
    }
    bar.set(job.progress * 100);
    statusText.textContent = job.status === 'failed' ? `Failed: ${job.error ?? ''}` : `Export #${job.id}: ${job.status}`;
    cancel.hidden = FINISHED.has(job.status);
    if (!FINISHED.has(job.status)) {
      timer = setTimeout(() => void follow(id), POLL_MS);
      return;
    }
    exportButton.disabled = false;
    if (job.status === 'done' && job.download_url) {
      bar.set(100);
      setChildren(
        download,
        h('a', { href: job.download_url, class: 'button button-primary', download: `export-${job.id}.zip` }, 'Download'),
        h('span', { class: 'muted' }, ` ${job.size ? formatBytes(job.size) : ''} · SHA-256 `),
        h('code', {}, job.sha256 ?? ''),
      );
      void showCard(job);
    }
    void loadHistory().catch(() => undefined);
  };

  let currentId: number | null = null;
  cancel.addEventListener('click', () => {
    if (currentId === null) return;
    ctx.api.request('POST', `${API_ROOT}/exports/${currentId}/cancel/`).then(
      () => currentId !== null && void follow(currentId),
      (err: unknown) => setChildren(problems, errorMessage(err, 'Could not cancel the export')),
    );
  });

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const values: ExportForm = {
      format: format.value,
      onlyAccepted: onlyAccepted.checked,
      includeImages: includeImages.checked,
      frames: frames.value === 'annotated' ? 'annotated' : 'all',
      splitBy: splitBy.value === 'patient' || splitBy.value === 'site' ? splitBy.value : '',
      train: Number(train.value),
      val: Number(val.value),
      test: Number(test.value),
      holdout: holdout.value,
      folds: Number(folds.value),
      seed: Number(seed.value),
      version: version.value,
    };
    const built = exportBody(values);
    if ('problems' in built) {
      setChildren(problems, h('ul', { class: 'message error' }, ...built.problems.map((p) => h('li', {}, p))));
      return;
    }
    setChildren(problems);
    setChildren(download);
    setChildren(card);
    bar.set(0);
    exportButton.disabled = true;
    ctx.api.request<ExportJob>('POST', `${API_ROOT}/projects/${projectId}/exports/`, { body: built.body }).then(
      (job) => {
        currentId = job.id;
        void follow(job.id);
      },
      (err: unknown) => {
        exportButton.disabled = false;
        setChildren(problems, errorMessage(err, 'The export was refused'));
      },
    );
  });

  await Promise.all([loadHistory().catch((err: unknown) => !isAbortError(err) && setChildren(history, h('tr', {}, h('td', {}, String(err))))), loadVersions()]);
}
