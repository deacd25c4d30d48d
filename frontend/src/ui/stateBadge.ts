// Coloured pill showing an image's review workflow state ("New", "Submitted", "Rejected", …).
import { isWorkflowState, stateLabel } from '../core/workflow';
import { h } from './dom';

export function stateBadge(state: unknown, testId = 'workflow-state'): HTMLSpanElement {
  const badge = h('span', { 'data-testid': testId });
  setStateBadge(badge, state);
  return badge;
}

/** Update a badge in place (keeps its test id and position). */
export function setStateBadge(badge: HTMLElement, state: unknown): void {
  const known = isWorkflowState(state);
  badge.className = `badge state-badge state-${known ? state : 'unknown'}`;
  badge.dataset.state = known ? state : '';
  badge.textContent = stateLabel(state);
  badge.title = `Review state: ${stateLabel(state)}`;
}
