// An accessible progress bar: role progressbar with aria-valuenow 0–100, named for what it measures.
import { h } from './dom';

export interface ProgressBar {
  el: HTMLElement;
  set(percent: number): void;
}

export function progressBar(name: string): ProgressBar {
  const fill = h('span', { class: 'meter-fill' });
  const el = h(
    'div',
    { class: 'meter', role: 'progressbar', 'aria-label': name, 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': 0 },
    fill,
  );
  return {
    el,
    set(percent: number) {
      const value = Math.max(0, Math.min(100, Math.round(Number.isFinite(percent) ? percent : 0)));
      el.setAttribute('aria-valuenow', String(value));
      fill.style.width = `${value}%`;
    },
  };
}
