// Upload page (#/projects/{id}/upload): drop or choose files and folders, progress per file and overall, live image status.
import { API_ROOT, ApiError, isAbortError } from '../api/client';
import type { ImageInfo, RejectedFile, UploadResult } from '../api/types';
import { rememberedUploads, ResumableUpload } from '../api/uploads';
import { formatBytes, planUpload, spreadProgress, type Picked, type Step } from '../core/uploadPlan';
import { routeHref } from '../core/routes';
import { h, setChildren } from './dom';
import { pickedFromDrop } from './dropFiles';
import type { PageContext } from './page';
import { projectCrumb } from './projectCrumb';
import { progressBar, type ProgressBar } from './progressBar';

const POLL_MS = 1500;
const STATUS_TEXT: Record<ImageInfo['status'], string> = {
  pending: 'Pending',
  processing: 'Processing',
  ready: 'Ready',
  held: 'Held: a manager checks it for burned-in text before release',
  failed: 'Failed',
};

/** One file's row: name, size, its progress bar, its state and (for big files) Pause/Resume. */
class FileRow {
  readonly el: HTMLLIElement;
  readonly bar: ProgressBar;
  private readonly state = h('span', { class: 'upload-state', 'data-testid': 'file-state' }, 'Waiting');
  private readonly actions = h('span', { class: 'upload-actions' });
  sent = 0;

  constructor(readonly picked: Picked<File>) {
    this.bar = progressBar(picked.path);
    this.el = h(
      'li',
      { class: 'upload-file' },
      h('span', { class: 'upload-name' }, picked.path),
      h('span', { class: 'muted' }, formatBytes(picked.file.size)),
      this.bar.el,
      this.state,
      this.actions,
    );
  }

  setState(text: string, kind = ''): void {
    this.state.textContent = text;
    this.state.className = `upload-state ${kind}`;
  }

  setProgress(sent: number): void {
    this.sent = sent;
    this.bar.set(this.picked.file.size ? (sent / this.picked.file.size) * 100 : 100);
  }

  pauseButton(upload: ResumableUpload): void {
    const button = h('button', { type: 'button', class: 'button-secondary' }, 'Pause');
    button.addEventListener('click', () => {
      if (button.textContent === 'Pause') {
        upload.pause();
        button.textContent = 'Resume';
      } else {
        upload.resume();
        button.textContent = 'Pause';
      }
    });
    setChildren(this.actions, button);
  }

  clearActions(): void {
    setChildren(this.actions);
  }
}

export async function mountUpload(root: HTMLElement, ctx: PageContext, projectId: number): Promise<void> {
  const site = h('input', { id: 'upload-site', name: 'site', type: 'text', maxlength: 100, autocomplete: 'off' });
  const input = h('input', { id: 'upload-files', type: 'file', multiple: true, class: 'visually-hidden' });
  const folderInput = h('input', { id: 'upload-folder', type: 'file', webkitdirectory: true, class: 'visually-hidden' });
  const overall = progressBar('Overall progress');
  const overallText = h('p', { class: 'muted', 'data-testid': 'overall-text' });
  const files = h('ul', { class: 'upload-files', 'aria-label': 'Files' });
  const rejected = h('ul', { class: 'upload-rejected', 'aria-label': 'Rejected files' });
  const images = h('ul', { class: 'upload-images', 'aria-label': 'Uploaded images' });
  const notice = h('div', {});
  const rejectedHead = h('h2', { hidden: true }, 'Rejected');
  const imagesHead = h('h2', { hidden: true }, 'Images');
  const drop = h(
    'div',
    { class: 'drop-zone', 'data-testid': 'drop-zone' },
    h('p', {}, h('strong', {}, 'Drop files or folders here'), ' — DICOM (files, folders or a .zip), PNG, JPEG, TIFF, whole slides'),
    h('label', { for: 'upload-files', class: 'button' }, 'Choose files'),
    ' ',
    h('label', { for: 'upload-folder', class: 'button button-secondary' }, 'Choose folder'),
    input,
    folderInput,
  );
  root.append(
    h(
      'div',
      { class: 'page upload-page' },
      projectCrumb(ctx, projectId, 'Upload images'),
      h('h1', {}, 'Upload images'),
      h(
        'p',
        { class: 'field' },
        h('label', { for: 'upload-site' }, 'Site'),
        site,
        h('span', { class: 'muted' }, ' the site or cohort of these images (for external-validation splits)'),
      ),
      drop,
      notice,
      h('section', { 'aria-label': 'Upload progress' }, overall.el, overallText, files),
      h('section', { class: 'upload-results' }, rejectedHead, rejected, imagesHead, images),
    ),
  );

  const unfinished = rememberedUploads(projectId, window.localStorage);
  if (unfinished.length > 0) {
    notice.replaceChildren(
      h(
        'p',
        { class: 'message warning', 'data-testid': 'unfinished' },
        `Unfinished upload${unfinished.length === 1 ? '' : 's'}: ${unfinished.join(', ')}. Choose the same file again to resume where it stopped.`,
      ),
    );
  }

  const rows: FileRow[] = [];
  const tracked = new Map<number, HTMLLIElement>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  ctx.signal.addEventListener('abort', () => clearTimeout(timer));

  const updateOverall = (): void => {
    const total = rows.reduce((s, r) => s + r.picked.file.size, 0);
    const sent = rows.reduce((s, r) => s + r.sent, 0);
    overall.set(total ? (sent / total) * 100 : 0);
    overallText.textContent = `${formatBytes(sent)} of ${formatBytes(total)} sent`;
  };

  const showImage = (image: ImageInfo): void => {
    const text = image.status === 'failed' && image.error ? `${STATUS_TEXT.failed}: ${image.error}` : STATUS_TEXT[image.status];
    const item = tracked.get(image.id) ?? h('li', { 'aria-label': image.name, class: 'upload-image' });
    const name =
      image.status === 'ready' ? h('a', { href: routeHref({ name: 'image', id: image.id }) }, image.name) : h('span', {}, image.name);
    setChildren(item, name, ' ', h('span', { class: `badge badge-${image.status}`, 'data-testid': 'image-status' }, text));
    item.dataset.status = image.status;
    imagesHead.hidden = false;
    if (!tracked.has(image.id)) images.append(item);
    tracked.set(image.id, item);
  };

  const poll = async (): Promise<void> => {
    clearTimeout(timer);
    const waiting = [...tracked.entries()].filter(([, li]) => ['pending', 'processing'].includes(li.dataset.status ?? ''));
    for (const [id] of waiting) {
      try {
        showImage(await ctx.api.get<ImageInfo>(`${API_ROOT}/images/${id}/`, ctx.signal));
      } catch (err) {
        if (isAbortError(err)) return;
      }
    }
    if (waiting.length > 0 && !ctx.signal.aborted) timer = setTimeout(() => void poll(), POLL_MS);
  };

  const showResult = (result: UploadResult, mine: FileRow[]): void => {
    const refused = new Map<string, RejectedFile>();
    for (const r of result.rejected) {
      rejectedHead.hidden = false;
      refused.set(r.filename, r);
      rejected.append(h('li', { 'aria-label': r.filename }, h('strong', {}, r.filename), `: ${r.detail}`));
    }
    for (const row of mine) {
      row.clearActions();
      const reason = refused.get(row.picked.file.name) ?? refused.get(row.picked.path);
      if (reason) row.setState(`Rejected: ${reason.detail}`, 'error-text');
      else row.setState('Uploaded', 'ok-text');
    }
    result.images.forEach(showImage);
    void poll();
  };

  const runStep = async (step: Step<File>, mine: FileRow[]): Promise<void> => {
    try {
      if (step.kind === 'multipart') {
        const form = new FormData();
        for (const item of step.files) form.append('file', item.file, item.file.name);
        if (site.value.trim()) form.append('site', site.value.trim());
        mine.forEach((r) => r.setState('Uploading'));
        const sizes = step.files.map((f) => f.file.size);
        const result = await ctx.api.postForm<UploadResult>(
          `${API_ROOT}/projects/${projectId}/images/`,
          form,
          (sent, total) => {
            spreadProgress(sizes, sent, total).forEach((pct, i) => mine[i]?.setProgress((pct / 100) * (sizes[i] ?? 0)));
            updateOverall();
          },
          ctx.signal,
        );
        mine.forEach((r) => r.setProgress(r.picked.file.size));
        updateOverall();
        showResult(result, mine);
        return;
      }
      const row = mine[0];
      if (!row) return;
      const upload = new ResumableUpload(ctx.api, projectId, step.file.file, site.value.trim(), {
        progress: (sent) => {
          row.setProgress(sent);
          updateOverall();
        },
        state: (state, detail) => row.setState(detail ?? { uploading: 'Uploading', paused: 'Paused', offline: 'Offline', processing: 'Checking the file…', done: 'Uploaded', failed: 'Failed' }[state], state === 'offline' ? 'warning-text' : ''),
      });
      row.pauseButton(upload);
      ctx.signal.addEventListener('abort', () => upload.pause());
      showResult(await upload.run(), mine);
    } catch (err) {
      if (isAbortError(err)) return;
      const detail = err instanceof ApiError ? err.detail : String(err);
      mine.forEach((r) => {
        r.clearActions();
        r.setState(`Failed: ${detail}`, 'error-text');
      });
    }
  };

  const start = async (picked: Picked<File>[]): Promise<void> => {
    if (picked.length === 0) return;
    const steps = planUpload(picked);
    const work = steps.map((step) => {
      const mine = (step.kind === 'multipart' ? step.files : [step.file]).map((p) => new FileRow(p));
      rows.push(...mine);
      files.append(...mine.map((r) => r.el));
      return { step, mine };
    });
    updateOverall();
    // Two requests at a time: a paused big file does not hold the others back.
    const queue = [...work];
    const lane = async (): Promise<void> => {
      for (let next = queue.shift(); next; next = queue.shift()) await runStep(next.step, next.mine);
    };
    await Promise.all([lane(), lane()]);
  };

  const fromInput = (el: HTMLInputElement): void => {
    const list = [...(el.files ?? [])].map((file) => ({ file, path: file.webkitRelativePath || file.name }));
    el.value = '';
    void start(list);
  };
  input.addEventListener('change', () => fromInput(input));
  folderInput.addEventListener('change', () => fromInput(folderInput));
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('drag-over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('drag-over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('drag-over');
    if (e.dataTransfer) void pickedFromDrop(e.dataTransfer).then(start);
  });
}
