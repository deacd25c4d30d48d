// Project progress summary from /progress/: "12 / 40 accepted", a stacked bar and the count of each state.
import type { Progress } from '../api/types';
import { summarizeProgress } from '../core/workflow';
import { h } from './dom';

export function progressSummary(progress: Progress): HTMLElement {
  const summary = summarizeProgress(progress);
  const bar = h('div', { class: 'progress-bar', 'aria-hidden': 'true' });
  for (const { state, count } of summary.counts) {
    if (count === 0 || summary.total === 0) continue;
    const segment = h('span', { class: `progress-segment state-${state}` });
    segment.style.width = `${(count / summary.total) * 100}%`;
    bar.appendChild(segment);
  }
  const annotations = Number.isFinite(progress.annotations) ? progress.annotations : 0;
  return h(
    'section',
    { class: 'progress', 'data-testid': 'progress', 'aria-label': 'Review progress' },
    h(
      'p',
      { class: 'progress-head' },
      h('strong', { 'data-testid': 'progress-accepted' }, summary.text),
      h('span', { class: 'muted' }, ` · ${summary.percent}% done · ${annotations} annotation${annotations === 1 ? '' : 's'}`),
    ),
    bar,
    h(
      'ul',
      { class: 'progress-counts' },
      ...summary.counts.map(({ state, label, count }) =>
        h(
          'li',
          { 'data-state': state },
          h('span', { class: `dot state-${state}`, 'aria-hidden': 'true' }),
          `${label} `,
          h('strong', {}, count),
        ),
      ),
    ),
  );
}
