// Pure review-workflow rules: state names, what a role may do with an image, rejections and progress.
import type { ImageInfo, Member, Progress, Review, ReviewOutcome, Role, WorkflowState } from '../api/types';

export const WORKFLOW_STATES: readonly WorkflowState[] = ['new', 'in_progress', 'submitted', 'accepted', 'rejected'];

export const STATE_LABEL: Readonly<Record<WorkflowState, string>> = {
  new: 'New',
  in_progress: 'In progress',
  submitted: 'Submitted',
  accepted: 'Accepted',
  rejected: 'Rejected',
};

/** States from which the annotator may still edit and hand the image in. */
export const OPEN_STATES: readonly WorkflowState[] = ['new', 'in_progress', 'rejected'];
/** States in which annotators may no longer edit (reviewers, managers and owners still may). */
export const LOCKED_STATES: readonly WorkflowState[] = ['submitted', 'accepted'];

export type RoleAction = 'annotate' | 'review' | 'manage';

// Mirrors the server's permission table (annotator/accounts/policies.py); the server stays the authority.
const ALLOWED: Readonly<Record<Role, readonly RoleAction[]>> = {
  owner: ['annotate', 'review', 'manage'],
  manager: ['annotate', 'review', 'manage'],
  reviewer: ['annotate', 'review'],
  annotator: ['annotate'],
  viewer: [],
};

export function isWorkflowState(value: unknown): value is WorkflowState {
  return typeof value === 'string' && (WORKFLOW_STATES as readonly string[]).includes(value);
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && Object.hasOwn(ALLOWED, value);
}

/** Display name of a state; unknown values are shown as they came. */
export function stateLabel(state: unknown): string {
  return isWorkflowState(state) ? STATE_LABEL[state] : String(state ?? 'Unknown');
}

export function roleCan(role: Role | null, action: RoleAction): boolean {
  return role !== null && isRole(role) && ALLOWED[role].includes(action);
}

/**
 * The caller's role from the project's member list. Someone who can read the list but is not on it
 * is a superuser, whom the server treats as an owner.
 */
export function roleFromMembers(members: readonly Member[], meId: number): Role {
  const mine = members.find((m) => m.user.id === meId);
  return mine && isRole(mine.role) ? mine.role : 'owner';
}

export interface ImageActions {
  /** May draw and delete boxes. */
  annotate: boolean;
  /** May hand the image in for review. */
  submit: boolean;
  /** May accept or reject it now. */
  review: boolean;
  /** Why annotating is off, for the toolbar (null when it is on). */
  readOnlyReason: string | null;
}

type WorkflowImage = Pick<ImageInfo, 'workflow_state' | 'assignee' | 'reviewer'>;

/**
 * What the caller may do with an image. `role` null means it could not be found out: editing and
 * submitting are then offered and the server decides, but reviewing is not.
 */
export function imageActions(image: WorkflowImage, role: Role | null, meId: number | null): ImageActions {
  const state = image.workflow_state;
  const unset = (id: number | null | undefined): boolean => id === null || id === undefined;
  const known = role !== null;
  const manages = roleCan(role, 'manage');
  const edits = !known || roleCan(role, 'annotate');
  const annotate = edits && (!LOCKED_STATES.includes(state) || roleCan(role, 'review'));
  const mine = unset(image.assignee) || image.assignee === meId || manages;
  const submit = edits && OPEN_STATES.includes(state) && (!known || mine);
  // Nobody but a manager reviews their own work or an image assigned to another reviewer.
  const othersWork = meId !== null && image.assignee !== meId && (unset(image.reviewer) || image.reviewer === meId);
  const review = state === 'submitted' && roleCan(role, 'review') && (manages || othersWork);
  let readOnlyReason: string | null = null;
  if (!edits) readOnlyReason = 'View only';
  else if (!annotate) readOnlyReason = state === 'accepted' ? 'Accepted · locked' : 'In review · locked';
  return { annotate, submit, review, readOnlyReason };
}

/** The state an accepted or rejected submission moves to. */
export function stateAfterReview(decision: ReviewOutcome): WorkflowState {
  return decision === 'accept' ? 'accepted' : 'rejected';
}

/** The state after a successful annotation write: the server moves new and rejected images to in_progress. */
export function stateAfterEdit(state: WorkflowState): WorkflowState {
  return state === 'new' || state === 'rejected' ? 'in_progress' : state;
}

/**
 * The rejection the annotator still has to act on: the latest decision, when it was a rejection and the
 * image has not been handed in again since (it is rejected, or in progress with the fixes).
 */
export function pendingRejection(state: WorkflowState, reviews: readonly Review[]): Review | null {
  const last = reviews.at(-1);
  return last?.decision === 'reject' && (state === 'rejected' || state === 'in_progress') ? last : null;
}

export interface ProgressSummary {
  accepted: number;
  total: number;
  /** Whole percent accepted, 0 for an empty project. */
  percent: number;
  /** e.g. "12 / 40 accepted" */
  text: string;
  /** Every state with its count, in workflow order. */
  counts: { state: WorkflowState; label: string; count: number }[];
}

export function summarizeProgress(progress: Pick<Progress, 'images'>): ProgressSummary {
  const images = progress.images;
  const count = (state: WorkflowState): number => (Number.isFinite(images[state]) ? images[state] : 0);
  const total = Number.isFinite(images.total) ? images.total : WORKFLOW_STATES.reduce((n, s) => n + count(s), 0);
  const accepted = count('accepted');
  return {
    accepted,
    total,
    percent: total > 0 ? Math.floor((accepted / total) * 100) : 0,
    text: `${accepted} / ${total} accepted`,
    counts: WORKFLOW_STATES.map((state) => ({ state, label: STATE_LABEL[state], count: count(state) })),
  };
}
