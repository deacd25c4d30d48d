// Side-panel section "Measurements": every Length ruler (saved or kept for the session) with its value and unit.
import { formatLength } from '../tools/length';
import { h, setChildren } from './dom';

export interface ListedMeasurement {
  id: number;
  frame: number;
  value: number;
  unit: string;
  /** Saved as a polyline annotation (else kept for this session only). */
  saved: boolean;
}

export class MeasurementPanel {
  readonly el: HTMLElement;
  private readonly list: HTMLOListElement;

  constructor() {
    this.list = h('ol', { class: 'annotation-list', 'data-testid': 'measurement-list' });
    this.el = h('section', { class: 'panel-section', 'aria-label': 'Measurements' }, h('h2', {}, 'Measurements'), this.list);
  }

  render(items: ListedMeasurement[]): void {
    if (items.length === 0) {
      setChildren(this.list, h('li', { class: 'empty muted' }, 'Press D and drag to measure a length.'));
      return;
    }
    setChildren(
      this.list,
      ...items.map((m) =>
        h(
          'li',
          { class: 'measurement', 'data-testid': 'measurement' },
          h('span', { class: 'measurement-value' }, formatLength(m)),
          h('span', { class: 'muted' }, ` slice ${m.frame + 1}${m.saved ? '' : ' · this session'}`),
        ),
      ),
    );
  }
}
