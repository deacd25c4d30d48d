// Dialog "Conflict": someone changed what I changed (a 412); shows both versions, "Keep mine" or "Take theirs".
import type { Annotation, Label } from '../api/types';
import type { Conflict } from '../core/saveQueue';
import { parseGeometry, ShapeFormatError } from '../core/shapes/adapter';
import { shapeBounds, type Shape } from '../core/shapes/model';
import type { AnnotationState } from '../core/store';
import { h } from './dom';
import { openModal } from './modal';

const round = (v: number): string => String(Math.round(v));

/** A shape in words a person can compare: its kind, size and place. */
export function describeShape(shape: Shape): string {
  const b = shapeBounds(shape);
  const where = b ? ` at ${round(b.x)}, ${round(b.y)}, ${round(b.w)} × ${round(b.h)} px` : '';
  switch (shape.kind) {
    case 'tag':
      return 'image tag';
    case 'bbox':
      return `box${where}`;
    case 'polygon':
      return `polygon of ${shape.points.length} vertices${where}`;
    case 'polyline':
      return `polyline of ${shape.points.length} vertices${where}`;
    case 'point':
      return `point at ${round(shape.x)}, ${round(shape.y)}`;
    case 'mask':
      return `mask${where}`;
  }
}

function describeAttributes(attributes: Readonly<Record<string, unknown>>): string {
  const parts = Object.entries(attributes).map(([k, v]) => `${k}: ${typeof v === 'boolean' ? (v ? 'yes' : 'no') : String(v)}`);
  return parts.length ? `; ${parts.join(', ')}` : '';
}

function describeMine(mine: AnnotationState | null): string {
  if (!mine) return 'deleted';
  return `${describeShape(mine.shape)} on slice ${mine.frame + 1}${describeAttributes(mine.attributes)}`;
}

function describeTheirs(theirs: Annotation | null, labels: readonly Label[]): string {
  if (!theirs) return 'deleted';
  const kind = labels.find((l) => l.id === theirs.label)?.kind;
  let shape = 'a shape';
  try {
    if (kind) shape = describeShape(parseGeometry(kind, theirs.geometry));
  } catch (err) {
    if (!(err instanceof ShapeFormatError)) throw err;
  }
  const when = theirs.updated_at ? ` (version ${theirs.version}, ${new Date(theirs.updated_at).toLocaleString()})` : ` (version ${theirs.version})`;
  return `${shape} on slice ${theirs.frame + 1}${describeAttributes(theirs.attributes)}${when}`;
}

/** Ask how to resolve a conflict; resolves once the user chose (the choice is carried out through the queue). */
export function openConflictDialog(host: HTMLElement, conflict: Conflict, labels: readonly Label[]): Promise<void> {
  const nameOf = (id: number | undefined): string => labels.find((l) => l.id === id)?.name ?? 'Annotation';
  const rows = conflict.items.map((item) =>
    h(
      'li',
      { class: 'conflict-item' },
      h('strong', {}, nameOf(item.mine?.label ?? item.theirs?.label)),
      h('dl', {}, h('dt', {}, 'Mine'), h('dd', { 'data-testid': 'conflict-mine' }, describeMine(item.mine)), h('dt', {}, 'Theirs'), h('dd', { 'data-testid': 'conflict-theirs' }, describeTheirs(item.theirs, labels))),
    ),
  );
  const keep = h('button', { type: 'button', class: 'primary' }, 'Keep mine');
  const take = h('button', { type: 'button' }, 'Take theirs');
  const intro = h(
    'p',
    {},
    conflict.items.length === 1
      ? 'Someone else changed this annotation while you were editing it.'
      : `Someone else changed ${conflict.items.length} annotations while you were editing them.`,
    ' Nothing is saved until you choose.',
  );
  return new Promise((resolve) => {
    // Escape does not decide for the user: the dialog stays until one of the two is chosen.
    const modal = openModal(host, 'Conflict', () => undefined, intro, h('ul', { class: 'conflict-list' }, ...rows), h('div', { class: 'form-actions' }, keep, take));
    const choose = (fn: () => void) => () => {
      modal.close();
      fn();
      resolve();
    };
    keep.addEventListener('click', choose(() => conflict.keepMine()));
    take.addEventListener('click', choose(() => conflict.takeTheirs()));
  });
}
