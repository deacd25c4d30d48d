// Review part of the side panel: accept/reject form for reviewers, past decisions, latest rejection notice.
import { ApiError } from '../api/client';
import type { Review, ReviewCreate, ReviewOutcome } from '../api/types';
import { h, setChildren } from './dom';
import { describeError } from './status';

export interface ReviewApi {
  reviewImage(imageId: number, data: ReviewCreate): Promise<Review>;
}

export interface ReviewPanelEvents {
  /** The server recorded a decision. */
  onReviewed(review: Review): void;
}

const DECISION_TEXT: Record<ReviewOutcome, string> = { accept: 'Accepted', reject: 'Rejected' };

/** Local date and time of an ISO timestamp ("12 Mar 2025, 14:05"), or the raw text if unreadable. */
export function formatWhen(iso: string): string {
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return iso;
  return when.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

function who(review: Review): string {
  return review.reviewer?.username ?? 'A former member';
}

function time(iso: string): HTMLTimeElement {
  return h('time', { datetime: iso }, formatWhen(iso));
}

export function reviewItem(review: Review): HTMLLIElement {
  const decision = DECISION_TEXT[review.decision] ?? review.decision;
  return h(
    'li',
    { class: `review-item review-${review.decision}`, 'data-testid': 'review-item', 'data-decision': review.decision },
    h(
      'p',
      { class: 'review-head' },
      h('span', { class: `badge state-badge state-${review.decision === 'accept' ? 'accepted' : 'rejected'}` }, decision),
      h('span', { class: 'review-who' }, who(review)),
      h('span', { class: 'muted' }, time(review.at)),
    ),
    review.comment ? h('p', { class: 'review-comment-text' }, review.comment) : null,
  );
}

/** Prominent note at the top of the side panel telling the annotator what to fix. */
export function rejectionNotice(review: Review): HTMLElement {
  return h(
    'div',
    { class: 'rejection', 'data-testid': 'rejection-comment', role: 'note', 'aria-label': 'Reason for rejection' },
    h('p', { class: 'rejection-title' }, 'Returned for changes'),
    h('p', { class: 'rejection-text' }, review.comment || 'No comment given.'),
    h('p', { class: 'meta' }, `${who(review)} · `, time(review.at)),
  );
}

export class ReviewPanel {
  readonly el: HTMLElement;
  readonly comment: HTMLTextAreaElement;
  readonly acceptButton: HTMLButtonElement;
  readonly rejectButton: HTMLButtonElement;
  private readonly heading: HTMLElement;
  private readonly form: HTMLElement;
  private readonly error: HTMLElement;
  private readonly history: HTMLOListElement;
  private reviews: Review[] = [];
  private canReview = false;
  private busy = false;

  constructor(
    private readonly api: ReviewApi,
    private readonly imageId: number,
    private readonly events: ReviewPanelEvents,
  ) {
    this.heading = h('h2', {}, 'Review');
    this.comment = h('textarea', {
      id: 'review-comment',
      class: 'review-textarea',
      'data-testid': 'review-comment',
      rows: 3,
      maxlength: 10000,
      placeholder: 'What should be fixed? (needed to reject)',
    });
    this.comment.addEventListener('input', () => this.showError(null));
    this.acceptButton = h('button', { type: 'button', class: 'button button-accept', 'data-testid': 'review-accept' }, 'Accept');
    this.rejectButton = h('button', { type: 'button', class: 'button button-reject', 'data-testid': 'review-reject' }, 'Reject');
    this.acceptButton.addEventListener('click', () => void this.decide('accept'));
    this.rejectButton.addEventListener('click', () => void this.decide('reject'));
    this.error = h('p', { class: 'error-text', 'data-testid': 'review-error', role: 'alert', hidden: true });
    this.form = h(
      'div',
      { class: 'review-form' },
      h('label', { for: 'review-comment', class: 'field-label' }, 'Comment'),
      this.comment,
      this.error,
      h('div', { class: 'review-buttons' }, this.acceptButton, this.rejectButton),
    );
    this.history = h('ol', { class: 'review-list', 'data-testid': 'review-history' });
    this.el = h(
      'section',
      { class: 'panel-section review-section', 'aria-label': 'Review' },
      this.heading,
      this.form,
      this.history,
    );
    this.render([], false);
  }

  /** The decisions shown, oldest first (including ones made here). */
  get items(): readonly Review[] {
    return this.reviews;
  }

  /** Show these past decisions; the form only when the caller may review the image now. */
  render(reviews: readonly Review[], canReview: boolean): void {
    this.reviews = [...reviews];
    this.canReview = canReview;
    this.el.hidden = !canReview && this.reviews.length === 0;
    if (canReview) this.el.dataset.testid = 'review-panel';
    else delete this.el.dataset.testid;
    this.heading.textContent = canReview ? 'Review' : 'Review history';
    this.form.hidden = !canReview;
    // Newest first: the decision that matters now is on top.
    setChildren(this.history, ...[...this.reviews].reverse().map(reviewItem));
    this.history.hidden = this.reviews.length === 0;
    this.setBusy(this.busy);
  }

  /** Send a decision; resolves to the recorded review, or null when the server refused it. */
  async decide(decision: ReviewOutcome): Promise<Review | null> {
    if (!this.canReview || this.busy) return null;
    this.setBusy(true);
    this.showError(null);
    try {
      const review = await this.api.reviewImage(this.imageId, { decision, comment: this.comment.value.trim() });
      this.comment.value = '';
      this.setBusy(false);
      this.render([...this.reviews, review], this.canReview);
      this.events.onReviewed(review);
      return review;
    } catch (err) {
      this.setBusy(false);
      this.showError(err);
      return null;
    }
  }

  private setBusy(busy: boolean): void {
    this.busy = busy;
    this.acceptButton.disabled = busy || !this.canReview;
    this.rejectButton.disabled = busy || !this.canReview;
    this.comment.readOnly = busy;
  }

  private showError(err: unknown): void {
    if (err === null) {
      this.error.hidden = true;
      this.error.textContent = '';
      this.comment.removeAttribute('aria-invalid');
      return;
    }
    this.error.hidden = false;
    this.error.textContent = describeError(err).detail;
    if (err instanceof ApiError && err.errors.comment) {
      this.comment.setAttribute('aria-invalid', 'true');
      this.comment.focus();
    }
  }
}
