// Review workflow of the open image: state badge, "Submit for review", review panel and rejection notice.
import type { ImageInfo, Review } from '../api/types';
import { imageActions, pendingRejection, stateAfterEdit, stateAfterReview, type ImageActions } from '../core/workflow';
import type { Access } from './access';
import { h, setChildren } from './dom';
import { rejectionNotice, ReviewPanel, type ReviewApi } from './reviewPanel';
import { setStateBadge, stateBadge } from './stateBadge';
import { describeError, StatusLine } from './status';

export interface WorkflowApi extends ReviewApi {
  submitImage(imageId: number): Promise<ImageInfo>;
}

export interface WorkflowEvents {
  /** The image's state (and so what the caller may do) changed. */
  onChange?(image: ImageInfo, actions: ImageActions): void;
  /** True while annotations are still being saved: submitting then would race the saves. */
  isSaving?(): boolean;
}

export class ImageWorkflow {
  /** Badge, submit button and status; goes in the page header. */
  readonly bar: HTMLElement;
  /** Rejection notice and review panel; goes at the top of the side panel. */
  readonly side: HTMLElement;
  readonly submitButton: HTMLButtonElement;
  readonly status = new StatusLine('workflow-status');
  readonly reviewPanel: ReviewPanel;
  private readonly badge: HTMLElement;
  private readonly notice: HTMLElement;
  private current: ImageInfo;

  constructor(
    private readonly api: WorkflowApi,
    image: ImageInfo,
    private readonly access: Access | null,
    reviews: readonly Review[],
    private readonly events: WorkflowEvents = {},
  ) {
    this.current = image;
    this.badge = stateBadge(image.workflow_state);
    this.submitButton = h(
      'button',
      { type: 'button', class: 'button button-primary', 'data-testid': 'submit', title: 'Hand this image in to be reviewed' },
      'Submit for review',
    );
    this.submitButton.addEventListener('click', () => void this.submit());
    this.bar = h('div', { class: 'workflow-bar' }, this.badge, this.submitButton, this.status.el);
    this.notice = h('div', { class: 'rejection-slot' });
    this.reviewPanel = new ReviewPanel(api, image.id, { onReviewed: (review) => this.reviewed(review) });
    this.reviewPanel.render(reviews, false);
    this.side = h('div', { class: 'workflow-side' }, this.notice, this.reviewPanel.el);
    this.render();
  }

  get image(): ImageInfo {
    return this.current;
  }

  get actions(): ImageActions {
    return imageActions(this.current, this.access?.role ?? null, this.access?.me.id ?? null);
  }

  /** Show a newer copy of the image (after a submit, a review, or a refetch). */
  setImage(image: ImageInfo): void {
    const changed =
      image.workflow_state !== this.current.workflow_state ||
      image.assignee !== this.current.assignee ||
      image.reviewer !== this.current.reviewer;
    this.current = image;
    this.render();
    if (changed) this.events.onChange?.(image, this.actions);
  }

  /** An annotation was saved: mirror the server moving a new or rejected image to in_progress. */
  noteEdit(): void {
    const state = stateAfterEdit(this.current.workflow_state);
    if (state !== this.current.workflow_state) this.setImage({ ...this.current, workflow_state: state });
  }

  /** Hand the image in; resolves to true when the server accepted it. */
  async submit(): Promise<boolean> {
    if (this.events.isSaving?.()) {
      this.status.set('error', 'Wait until your changes are saved (Save status), then submit.');
      return false;
    }
    this.submitButton.disabled = true;
    this.status.set('busy', 'Submitting…');
    try {
      const updated = await this.api.submitImage(this.current.id);
      this.status.set('ok', 'Submitted for review');
      this.setImage(updated);
      return true;
    } catch (err) {
      const { detail, fields } = describeError(err);
      this.status.set('error', detail, fields);
      return false;
    } finally {
      this.submitButton.disabled = false;
    }
  }

  private reviewed(review: Review): void {
    const reviewer = this.current.reviewer ?? review.reviewer?.id ?? null;
    this.status.set('ok', review.decision === 'accept' ? 'Accepted' : 'Sent back to the annotator');
    this.setImage({ ...this.current, workflow_state: stateAfterReview(review.decision), reviewer });
  }

  private render(): void {
    const actions = this.actions;
    setStateBadge(this.badge, this.current.workflow_state);
    this.submitButton.hidden = !actions.submit;
    const reviews = this.reviewPanel.items;
    this.reviewPanel.render(reviews, actions.review);
    const rejection = pendingRejection(this.current.workflow_state, reviews);
    setChildren(this.notice, rejection ? rejectionNotice(rejection) : null);
    this.notice.hidden = rejection === null;
  }
}
