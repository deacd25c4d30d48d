// Tests for the pure review-workflow rules: role → allowed actions, rejections, progress summaries.
import { describe, expect, it } from 'vitest';
import type { Member, Review, Role, WorkflowState } from '../src/api/types';
import {
  imageActions,
  isWorkflowState,
  pendingRejection,
  roleCan,
  roleFromMembers,
  stateAfterEdit,
  stateAfterReview,
  stateLabel,
  summarizeProgress,
} from '../src/core/workflow';

const ME = 10;
const OTHER = 20;
const img = (workflow_state: WorkflowState, assignee: number | null = null, reviewer: number | null = null) => ({
  workflow_state,
  assignee,
  reviewer,
});

describe('roleCan', () => {
  it.each<[Role, boolean, boolean, boolean]>([
    ['owner', true, true, true],
    ['manager', true, true, true],
    ['reviewer', true, true, false],
    ['annotator', true, false, false],
    ['viewer', false, false, false],
  ])('%s annotates %s, reviews %s, manages %s', (role, annotate, review, manage) => {
    expect(roleCan(role, 'annotate')).toBe(annotate);
    expect(roleCan(role, 'review')).toBe(review);
    expect(roleCan(role, 'manage')).toBe(manage);
  });

  it('allows nothing for no or unknown roles', () => {
    expect(roleCan(null, 'annotate')).toBe(false);
    expect(roleCan('superhero' as Role, 'annotate')).toBe(false);
  });
});

describe('imageActions', () => {
  it('lets every annotating role edit and submit open images, but never viewers', () => {
    for (const state of ['new', 'in_progress', 'rejected'] as const) {
      for (const role of ['owner', 'manager', 'reviewer', 'annotator'] as const) {
        expect(imageActions(img(state), role, ME)).toMatchObject({ annotate: true, submit: true, review: false, readOnlyReason: null });
      }
      expect(imageActions(img(state), 'viewer', ME)).toEqual({ annotate: false, submit: false, review: false, readOnlyReason: 'View only' });
    }
  });

  it('locks submitted and accepted images for annotators only', () => {
    expect(imageActions(img('submitted', ME), 'annotator', ME)).toEqual({
      annotate: false,
      submit: false,
      review: false,
      readOnlyReason: 'In review · locked',
    });
    expect(imageActions(img('accepted', ME), 'annotator', ME).readOnlyReason).toBe('Accepted · locked');
    expect(imageActions(img('accepted'), 'reviewer', ME)).toMatchObject({ annotate: true, submit: false, review: false });
  });

  it('offers the review to reviewers and managers on submitted images', () => {
    expect(imageActions(img('submitted', OTHER), 'reviewer', ME).review).toBe(true);
    expect(imageActions(img('submitted', OTHER, ME), 'reviewer', ME).review).toBe(true);
    expect(imageActions(img('submitted', OTHER), 'manager', ME).review).toBe(true);
    expect(imageActions(img('submitted', OTHER), 'owner', ME).review).toBe(true);
    expect(imageActions(img('submitted', OTHER), 'annotator', ME).review).toBe(false);
    expect(imageActions(img('submitted', OTHER), 'viewer', ME).review).toBe(false);
    for (const state of ['new', 'in_progress', 'accepted', 'rejected'] as const) {
      expect(imageActions(img(state, OTHER), 'owner', ME).review).toBe(false);
    }
  });

  it('keeps reviewers off their own work and off other reviewers’ images; managers may', () => {
    expect(imageActions(img('submitted', ME), 'reviewer', ME).review).toBe(false);
    expect(imageActions(img('submitted', OTHER, 30), 'reviewer', ME).review).toBe(false);
    expect(imageActions(img('submitted', ME), 'manager', ME).review).toBe(true);
    expect(imageActions(img('submitted', OTHER, 30), 'owner', ME).review).toBe(true);
  });

  it('offers submit only on own or unassigned images, except to managers', () => {
    expect(imageActions(img('in_progress', ME), 'annotator', ME).submit).toBe(true);
    expect(imageActions(img('in_progress', OTHER), 'annotator', ME).submit).toBe(false);
    expect(imageActions(img('in_progress', OTHER), 'reviewer', ME).submit).toBe(false);
    expect(imageActions(img('in_progress', OTHER), 'manager', ME).submit).toBe(true);
  });

  it('leaves the decision to the server when the role is unknown, but never offers a review', () => {
    expect(imageActions(img('new'), null, null)).toEqual({ annotate: true, submit: true, review: false, readOnlyReason: null });
    expect(imageActions(img('submitted', OTHER), null, null)).toMatchObject({ annotate: false, submit: false, review: false });
  });
});

describe('roleFromMembers', () => {
  const members: Member[] = [
    { id: 1, user: { id: ME, username: 'me' }, role: 'reviewer' },
    { id: 2, user: { id: OTHER, username: 'other' }, role: 'owner' },
  ];

  it('finds the caller by user id', () => {
    expect(roleFromMembers(members, ME)).toBe('reviewer');
    expect(roleFromMembers(members, OTHER)).toBe('owner');
  });

  it('treats a caller missing from the list as a superuser (owner)', () => {
    expect(roleFromMembers(members, 99)).toBe('owner');
  });
});

describe('state changes', () => {
  it('moves new and rejected images to in_progress on an edit', () => {
    expect(stateAfterEdit('new')).toBe('in_progress');
    expect(stateAfterEdit('rejected')).toBe('in_progress');
    expect(stateAfterEdit('submitted')).toBe('submitted');
    expect(stateAfterEdit('accepted')).toBe('accepted');
  });

  it('maps review decisions to states', () => {
    expect(stateAfterReview('accept')).toBe('accepted');
    expect(stateAfterReview('reject')).toBe('rejected');
  });

  it('labels states and rejects unknown values', () => {
    expect(stateLabel('in_progress')).toBe('In progress');
    expect(stateLabel('archived')).toBe('archived');
    expect(stateLabel(undefined)).toBe('Unknown');
    expect(isWorkflowState('submitted')).toBe(true);
    expect(isWorkflowState('toString')).toBe(false);
  });
});

describe('pendingRejection', () => {
  const review = (id: number, decision: Review['decision'], comment = ''): Review => ({
    id,
    image: 7,
    reviewer: { id: OTHER, username: 'rita' },
    decision,
    comment,
    at: '2025-03-12T14:05:00Z',
  });

  it('is the latest decision while the rejected image is being fixed', () => {
    const reviews = [review(1, 'reject', 'old'), review(2, 'reject', 'Include the lower gland.')];
    expect(pendingRejection('rejected', reviews)?.comment).toBe('Include the lower gland.');
    expect(pendingRejection('in_progress', reviews)?.id).toBe(2);
  });

  it('is nothing once handed in again, accepted, or without reviews', () => {
    expect(pendingRejection('submitted', [review(1, 'reject', 'x')])).toBeNull();
    expect(pendingRejection('rejected', [review(1, 'reject', 'x'), review(2, 'accept')])).toBeNull();
    expect(pendingRejection('rejected', [])).toBeNull();
  });
});

describe('summarizeProgress', () => {
  it('says how many of all images are accepted and counts each state', () => {
    const summary = summarizeProgress({
      images: { total: 40, new: 20, in_progress: 3, submitted: 4, accepted: 12, rejected: 1 },
    });
    expect(summary.text).toBe('12 / 40 accepted');
    expect(summary.percent).toBe(30);
    expect(summary.counts.map((c) => `${c.label}:${c.count}`)).toEqual([
      'New:20',
      'In progress:3',
      'Submitted:4',
      'Accepted:12',
      'Rejected:1',
    ]);
  });

  it('handles empty projects and never rounds up to 100 %', () => {
    expect(summarizeProgress({ images: { total: 0, new: 0, in_progress: 0, submitted: 0, accepted: 0, rejected: 0 } })).toMatchObject({
      text: '0 / 0 accepted',
      percent: 0,
    });
    expect(summarizeProgress({ images: { total: 200, new: 1, in_progress: 0, submitted: 0, accepted: 199, rejected: 0 } }).percent).toBe(99);
  });
});
