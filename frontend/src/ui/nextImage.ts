// "Next image" button: asks /projects/{id}/next/ for the caller's next image and opens it, or says the queue is empty.
import { isAbortError } from '../api/client';
import type { ImageInfo } from '../api/types';
import { routeHref } from '../core/routes';
import { h } from './dom';
import { describeError } from './status';

export interface NextApi {
  nextImage(projectId: number, signal?: AbortSignal): Promise<ImageInfo | null>;
}

export type NextOutcome = { kind: 'open'; id: number; href: string } | { kind: 'empty' } | { kind: 'current' };

/** Where "Next image" leads: another image, nowhere (204), or the image already open. */
export async function findNext(api: NextApi, projectId: number, currentId?: number, signal?: AbortSignal): Promise<NextOutcome> {
  const next = await api.nextImage(projectId, signal);
  if (!next) return { kind: 'empty' };
  if (next.id === currentId) return { kind: 'current' };
  return { kind: 'open', id: next.id, href: routeHref({ name: 'image', id: next.id }) };
}

export interface NextImageOptions {
  /** The image on screen, so that being sent back to it can be explained instead of doing nothing. */
  currentId?: number;
  signal?: AbortSignal;
  navigate?: (href: string) => void;
}

export class NextImageButton {
  readonly el: HTMLElement;
  readonly button: HTMLButtonElement;
  private readonly note: HTMLElement;

  constructor(
    private readonly api: NextApi,
    private readonly projectId: number,
    private readonly options: NextImageOptions = {},
  ) {
    this.button = h(
      'button',
      { type: 'button', class: 'tool-button', 'data-testid': 'next-image', title: 'Open the next image that needs you' },
      'Next image ',
      h('span', { 'aria-hidden': 'true' }, '→'),
    );
    this.button.addEventListener('click', () => void this.go());
    this.note = h('span', { class: 'next-note', role: 'status', 'aria-live': 'polite' });
    this.el = h('span', { class: 'next-image' }, this.note, this.button);
  }

  /** Ask for the next image and act on the answer; resolves to what happened (null on error). */
  async go(): Promise<NextOutcome | null> {
    this.button.disabled = true;
    this.setNote('', '');
    try {
      const outcome = await findNext(this.api, this.projectId, this.options.currentId, this.options.signal);
      if (outcome.kind === 'open') (this.options.navigate ?? ((href) => (window.location.hash = href)))(outcome.href);
      else if (outcome.kind === 'empty') this.setNote('Nothing left to do', 'queue-empty');
      else this.setNote('This image is still next for you', 'queue-current');
      return outcome;
    } catch (err) {
      if (!isAbortError(err)) this.setNote(describeError(err).detail, 'queue-error', true);
      return null;
    } finally {
      this.button.disabled = false;
    }
  }

  private setNote(text: string, testId: string, error = false): void {
    this.note.textContent = text;
    if (testId) this.note.dataset.testid = testId;
    else delete this.note.dataset.testid;
    this.note.classList.toggle('error-text', error);
  }
}
