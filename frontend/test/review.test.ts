// DOM tests for the review workflow widgets with fake clients: review panel, submit bar, next image.
// @vitest-environment jsdom
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiClient, ApiError } from '../src/api/client';
import type { ImageInfo, Review, ReviewCreate } from '../src/api/types';
import type { Access } from '../src/ui/access';
import { findNext, NextImageButton } from '../src/ui/nextImage';
import { ReviewPanel, type ReviewApi } from '../src/ui/reviewPanel';
import { ImageWorkflow, type WorkflowApi } from '../src/ui/workflow';

const ME = { id: 10, username: 'rita' };
const ANNIE = { id: 20, username: 'annie' };

function image(over: Partial<ImageInfo> = {}): ImageInfo {
  return {
    id: 7,
    project: 3,
    name: 'slide.svs',
    kind: 'slide',
    status: 'ready',
    error: null,
    width: 512,
    height: 512,
    frames: 1,
    created_at: '2024-01-01T00:00:00Z',
    thumbnail_url: null,
    dzi_url: null,
    metadata: {},
    site: null,
    workflow_state: 'submitted',
    assignee: ANNIE.id,
    reviewer: null,
    ...over,
  };
}

function review(id: number, decision: Review['decision'], comment: string, reviewer = ME): Review {
  return { id, image: 7, reviewer, decision, comment, at: `2025-03-1${id}T14:05:00Z` };
}

/** Mimics the server's review rules (a rejection needs a comment). */
class FakeReviewApi implements WorkflowApi {
  calls: string[] = [];
  nextId = 5;
  submitError: ApiError | null = null;

  async reviewImage(imageId: number, data: ReviewCreate): Promise<Review> {
    this.calls.push(`review ${imageId} ${data.decision} ${JSON.stringify(data.comment)}`);
    if (data.decision === 'reject' && !data.comment.trim()) {
      throw new ApiError(400, {
        detail: 'Say what to fix: a rejection needs a comment.',
        code: 'invalid',
        errors: { comment: ['required'] },
      });
    }
    return review(this.nextId++, data.decision, data.comment);
  }

  async submitImage(imageId: number): Promise<ImageInfo> {
    this.calls.push(`submit ${imageId}`);
    if (this.submitError) throw this.submitError;
    return image({ workflow_state: 'submitted', assignee: ANNIE.id });
  }
}

const q = <T extends HTMLElement = HTMLElement>(root: ParentNode, id: string) => root.querySelector<T>(`[data-testid="${id}"]`);

beforeEach(() => {
  document.body.replaceChildren();
});

describe('ReviewPanel', () => {
  it('is hidden for people who cannot review and there is no history', () => {
    const panel = new ReviewPanel(new FakeReviewApi(), 7, { onReviewed: vi.fn() });
    panel.render([], false);
    expect(panel.el.hidden).toBe(true);
    expect(panel.el.dataset.testid).toBeUndefined();
  });

  it('shows past decisions newest first with decision, reviewer, comment and time', () => {
    const panel = new ReviewPanel(new FakeReviewApi(), 7, { onReviewed: vi.fn() });
    panel.render([review(1, 'reject', 'Missed a gland.'), review(2, 'accept', '', { id: 30, username: 'bob' })], false);
    expect(panel.el.hidden).toBe(false);
    expect(q(panel.el, 'review-comment')!.closest('[hidden]')).not.toBeNull();
    const items = [...panel.el.querySelectorAll<HTMLElement>('[data-testid="review-item"]')];
    expect(items.map((i) => i.dataset.decision)).toEqual(['accept', 'reject']);
    expect(items[1]!.textContent).toContain('Rejected');
    expect(items[1]!.textContent).toContain('rita');
    expect(items[1]!.textContent).toContain('Missed a gland.');
    expect(items[1]!.querySelector('time')!.getAttribute('datetime')).toBe('2025-03-11T14:05:00Z');
    expect(items[0]!.textContent).toContain('bob');
  });

  it('accepts with the trimmed comment and reports the decision', async () => {
    const api = new FakeReviewApi();
    const onReviewed = vi.fn();
    const panel = new ReviewPanel(api, 7, { onReviewed });
    panel.render([], true);
    expect(panel.el.dataset.testid).toBe('review-panel');
    panel.comment.value = '  Nice work.  ';
    q<HTMLButtonElement>(panel.el, 'review-accept')!.click();
    await vi.waitFor(() => expect(onReviewed).toHaveBeenCalledOnce());
    expect(api.calls).toEqual(['review 7 accept "Nice work."']);
    expect(onReviewed.mock.calls[0]![0]).toMatchObject({ decision: 'accept', comment: 'Nice work.' });
    expect(panel.comment.value).toBe('');
    expect(panel.el.querySelectorAll('[data-testid="review-item"]')).toHaveLength(1);
  });

  it('shows the server’s message when rejecting without a comment, then rejects with one', async () => {
    const api = new FakeReviewApi();
    const onReviewed = vi.fn();
    const panel = new ReviewPanel(api, 7, { onReviewed });
    document.body.appendChild(panel.el);
    panel.render([], true);
    await expect(panel.decide('reject')).resolves.toBeNull();
    const error = q(panel.el, 'review-error')!;
    expect(error.hidden).toBe(false);
    expect(error.textContent).toBe('Say what to fix: a rejection needs a comment.');
    expect(panel.comment.getAttribute('aria-invalid')).toBe('true');
    expect(document.activeElement).toBe(panel.comment);
    expect(onReviewed).not.toHaveBeenCalled();
    expect(panel.acceptButton.disabled).toBe(false);

    panel.comment.value = 'Include the lower gland.';
    panel.comment.dispatchEvent(new Event('input'));
    expect(error.hidden).toBe(true);
    await expect(panel.decide('reject')).resolves.toMatchObject({ decision: 'reject', comment: 'Include the lower gland.' });
    expect(onReviewed).toHaveBeenCalledOnce();
  });

  it('disables both buttons while a decision is being sent', async () => {
    let release!: (r: Review) => void;
    const api: ReviewApi = { reviewImage: () => new Promise<Review>((resolve) => (release = resolve)) };
    const panel = new ReviewPanel(api, 7, { onReviewed: vi.fn() });
    panel.render([], true);
    const first = panel.decide('accept');
    expect(panel.acceptButton.disabled).toBe(true);
    expect(panel.rejectButton.disabled).toBe(true);
    await expect(panel.decide('accept')).resolves.toBeNull(); // a double click sends nothing
    release(review(1, 'accept', ''));
    await first;
    expect(panel.acceptButton.disabled).toBe(false);
  });
});

describe('ImageWorkflow', () => {
  const reviewer: Access = { me: ME, role: 'reviewer' };
  const annotator: Access = { me: ANNIE, role: 'annotator' };

  it('lets the annotator submit: the badge updates, the button goes and editing stops', async () => {
    const api = new FakeReviewApi();
    const onChange = vi.fn();
    const flow = new ImageWorkflow(api, image({ workflow_state: 'in_progress' }), annotator, [], { onChange });
    const badge = q(flow.bar, 'workflow-state')!;
    expect(badge.textContent).toBe('In progress');
    expect(q(flow.bar, 'submit')!.hidden).toBe(false);
    expect(flow.actions.annotate).toBe(true);
    q<HTMLButtonElement>(flow.bar, 'submit')!.click();
    await vi.waitFor(() => expect(badge.textContent).toBe('Submitted'));
    expect(api.calls).toEqual(['submit 7']);
    expect(badge.dataset.state).toBe('submitted');
    expect(q(flow.bar, 'submit')!.hidden).toBe(true);
    expect(q(flow.bar, 'workflow-status')!.textContent).toBe('Submitted for review');
    expect(onChange).toHaveBeenCalledWith(expect.objectContaining({ workflow_state: 'submitted' }), expect.objectContaining({ annotate: false }));
    expect(q(flow.side, 'review-panel')).toBeNull();
  });

  it('shows why a submit failed and keeps the button', async () => {
    const api = new FakeReviewApi();
    api.submitError = new ApiError(409, { detail: 'The image is accepted; only new … can be submitted.', code: 'invalid_state' });
    const flow = new ImageWorkflow(api, image({ workflow_state: 'new' }), annotator, []);
    await expect(flow.submit()).resolves.toBe(false);
    expect(q(flow.bar, 'workflow-status')!.textContent).toContain('The image is accepted');
    expect(q(flow.bar, 'submit')!.hidden).toBe(false);
    expect(q(flow.bar, 'workflow-state')!.textContent).toBe('New');
  });

  it('does not submit while boxes are still being saved', async () => {
    const api = new FakeReviewApi();
    const flow = new ImageWorkflow(api, image({ workflow_state: 'in_progress' }), annotator, [], { isSaving: () => true });
    await expect(flow.submit()).resolves.toBe(false);
    expect(api.calls).toEqual([]);
    expect(q(flow.bar, 'workflow-status')!.textContent).toContain('Wait until');
  });

  it('hides submit from viewers', () => {
    const flow = new ImageWorkflow(new FakeReviewApi(), image({ workflow_state: 'new' }), { me: ME, role: 'viewer' }, []);
    expect(q(flow.bar, 'submit')!.hidden).toBe(true);
    expect(flow.actions).toMatchObject({ annotate: false, readOnlyReason: 'View only' });
  });

  it('gives a reviewer the review panel on a submitted image; rejecting updates the state and shows the history', async () => {
    const api = new FakeReviewApi();
    const onChange = vi.fn();
    const flow = new ImageWorkflow(api, image(), reviewer, [], { onChange });
    const panel = q(flow.side, 'review-panel')!;
    expect(panel.hidden).toBe(false);
    q<HTMLTextAreaElement>(panel, 'review-comment')!.value = 'Include the lower gland.';
    q<HTMLButtonElement>(panel, 'review-reject')!.click();
    await vi.waitFor(() => expect(q(flow.bar, 'workflow-state')!.textContent).toBe('Rejected'));
    expect(flow.image).toMatchObject({ workflow_state: 'rejected', reviewer: ME.id });
    expect(q(flow.side, 'review-panel')).toBeNull();
    const item = q(flow.side, 'review-item')!;
    expect(item.textContent).toContain('Include the lower gland.');
    expect(item.closest('[hidden]')).toBeNull();
    expect(onChange).toHaveBeenCalledWith(expect.objectContaining({ workflow_state: 'rejected' }), expect.anything());
  });

  it('offers no review of one’s own work', () => {
    const flow = new ImageWorkflow(new FakeReviewApi(), image({ assignee: ME.id }), reviewer, []);
    expect(q(flow.side, 'review-panel')).toBeNull();
  });

  it('shows the latest rejection comment prominently to the annotator until the image is handed in again', () => {
    const reviews = [review(1, 'reject', 'First try.'), review(2, 'reject', 'Include the lower gland.')];
    const flow = new ImageWorkflow(new FakeReviewApi(), image({ workflow_state: 'rejected', assignee: ANNIE.id }), annotator, reviews);
    const notice = q(flow.side, 'rejection-comment')!;
    expect(notice.textContent).toContain('Include the lower gland.');
    expect(notice.textContent).toContain('rita');
    expect(notice.textContent).not.toContain('First try.');
    expect(flow.side.firstElementChild!.contains(notice)).toBe(true);
    expect(flow.side.querySelectorAll('[data-testid="review-item"]')).toHaveLength(2);
    expect(q(flow.bar, 'submit')!.hidden).toBe(false);

    flow.noteEdit(); // a box was saved: the server moved the image to in_progress
    expect(q(flow.bar, 'workflow-state')!.textContent).toBe('In progress');
    expect(q(flow.side, 'rejection-comment')).not.toBeNull();

    flow.setImage({ ...flow.image, workflow_state: 'submitted' });
    expect(q(flow.side, 'rejection-comment')).toBeNull();
  });
});

describe('next image', () => {
  function apiAnswering(...responses: Response[]) {
    const urls: string[] = [];
    const fetch = (async (input: RequestInfo | URL) => {
      urls.push(String(input));
      return responses.shift()!;
    }) as typeof globalThis.fetch;
    return { api: new ApiClient({ fetch }), urls };
  }
  const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } });

  it('finds the next image, the current one, or nothing (204)', async () => {
    const { api, urls } = apiAnswering(json(image({ id: 12 })), json(image({ id: 7 })), new Response(null, { status: 204 }));
    await expect(findNext(api, 3, 7)).resolves.toEqual({ kind: 'open', id: 12, href: '#/images/12' });
    await expect(findNext(api, 3, 7)).resolves.toEqual({ kind: 'current' });
    await expect(findNext(api, 3, 7)).resolves.toEqual({ kind: 'empty' });
    expect(urls).toEqual(['/api/v1/projects/3/next/', '/api/v1/projects/3/next/', '/api/v1/projects/3/next/']);
  });

  it('navigates to the next image', async () => {
    const navigate = vi.fn();
    const { api } = apiAnswering(json(image({ id: 12 })));
    const next = new NextImageButton(api, 3, { navigate });
    q<HTMLButtonElement>(next.el, 'next-image')!.click();
    await vi.waitFor(() => expect(navigate).toHaveBeenCalledWith('#/images/12'));
    expect(q(next.el, 'queue-empty')).toBeNull();
  });

  it('says "Nothing left to do" on 204 and does not navigate', async () => {
    const navigate = vi.fn();
    const { api } = apiAnswering(new Response(null, { status: 204 }));
    const next = new NextImageButton(api, 3, { navigate });
    await expect(next.go()).resolves.toEqual({ kind: 'empty' });
    expect(q(next.el, 'queue-empty')!.textContent).toBe('Nothing left to do');
    expect(navigate).not.toHaveBeenCalled();
    expect(next.button.disabled).toBe(false);
  });

  it('explains when the open image is still the next one, and shows errors', async () => {
    const { api } = apiAnswering(
      json(image({ id: 7 })),
      new Response(JSON.stringify({ detail: 'No project with this id.', code: 'not_found' }), { status: 404 }),
    );
    const next = new NextImageButton(api, 3, { currentId: 7, navigate: vi.fn() });
    await next.go();
    expect(q(next.el, 'queue-current')!.textContent).toContain('still next');
    await expect(next.go()).resolves.toBeNull();
    expect(q(next.el, 'queue-error')!.textContent).toBe('No project with this id.');
  });
});
