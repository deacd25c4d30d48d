// Panels harness: the issue-9 panels mounted on a store, command stack and save queue against the real API.
// Served by tests/e2e/test_panels.py on the live server's origin until the workspace mounts the same modules.
import { ApiClient } from '../src/api/client';
import type { Label } from '../src/api/types';
import { hasRequiredAttributes } from '../src/core/attributes';
import { CommandStack, createCommand, updateCommand } from '../src/core/commands';
import { SaveQueue, statusText } from '../src/core/saveQueue';
import { MemoryQueueStorage } from '../src/core/saveStorage';
import { apiTransport } from '../src/core/saveTransport';
import { Selection } from '../src/core/selection';
import type { Shape } from '../src/core/shapes/model';
import { AnnotationStore } from '../src/core/store';
import { defaultTools } from '../src/tools/index';
import { openAttributesForm } from '../src/ui/attributesForm';
import { h } from '../src/ui/dom';
import { HELP_KEY } from '../src/ui/helpOverlay';
import { mountSidePanels } from '../src/ui/sidePanels';
import { ShapeLayer } from '../src/viewer/shapeLayer';
import { VirtualSurface } from '../bench/virtualSurface';
import '../src/styles.css';

interface Mounted {
  labels: Label[];
  store: AnnotationStore;
  stack: CommandStack;
  queue: SaveQueue;
}
let mounted: Mounted | null = null;
/** Milliseconds: the panel's build in open(), and one edit through the stack (store, panel, layer) in timeEdit(). */
const timings = { buildMs: 0, editMs: 0 };

async function open(imageId: number, projectId: number): Promise<void> {
  const api = new ApiClient();
  const [image, labels, annotations] = await Promise.all([api.image(imageId), api.labels(projectId), api.annotations(imageId)]);
  const store = new AnnotationStore();
  const stack = new CommandStack(store);
  const selection = new Selection();
  const kinds = new Map(labels.map((l) => [l.id, l.kind]));
  const queue = await SaveQueue.open({ imageId, store, transport: apiTransport(api), kindOf: (id) => kinds.get(id)!, storage: new MemoryQueueStorage(), delayMs: 0 });
  queue.load(annotations);
  const surface = new VirtualSurface(document.getElementById('view')!, { width: image.width ?? 1, height: image.height ?? 1 });
  const layer = new ShapeLayer(surface, store, labels, { selected: () => selection.list() });
  selection.subscribe(() => layer.invalidate());
  const status = h('output', { 'aria-label': 'Save status' }, statusText(queue.status));
  queue.onStatus((s) => (status.textContent = statusText(s)));
  const t0 = performance.now();
  const { help } = mountSidePanels({
    side: document.getElementById('side')!, store, stack, selection, labels, tools: defaultTools(), readOnly: false,
    frameCount: image.frames, layerStyle: (id, style) => layer.setLabelStyle(id, style), zoomTo: () => undefined,
  });
  timings.buildMs = performance.now() - t0;
  const undo = h('button', { type: 'button' }, 'Undo');
  undo.addEventListener('click', () => stack.undo());
  const redo = h('button', { type: 'button' }, 'Redo');
  redo.addEventListener('click', () => stack.redo());
  document.getElementById('toolbar')!.append(undo, redo, help.button, status);
  document.addEventListener('keydown', (e) => {
    if (e.key === HELP_KEY) help.toggle();
  });
  mounted = { labels, store, stack, queue };
}

/** What the workspace does when a shape is finished: ask for required attributes first, then one Create. */
async function finish(labelId: number, shape: Shape): Promise<boolean> {
  const { labels, stack } = mounted!;
  const label = labels.find((l) => l.id === labelId)!;
  let attributes: Record<string, unknown> = {};
  if (hasRequiredAttributes(label)) {
    const values = await openAttributesForm(document.body, label, {});
    if (values === null) return false;
    attributes = values;
  }
  stack.execute(createCommand({ label: labelId, frame: 0, shape, attributes }));
  return true;
}

/** The save queue's words once nothing is in flight. */
async function settled(): Promise<string> {
  const q = mounted!.queue;
  for (let i = 0; i < 200 && (q.status.kind === 'saving' || q.pending.length > 0); i++) await new Promise((r) => setTimeout(r, 50));
  await q.idle();
  return statusText(q.status);
}

/** Move the first shape by one pixel as one command and time it (the panel updates one item). */
function timeEdit(): typeof timings {
  const { store, stack } = mounted!;
  const first = store.all()[0]!;
  const shape = first.shape.kind === 'bbox' ? { ...first.shape, x: first.shape.x + 1 } : first.shape;
  const t0 = performance.now();
  stack.execute(updateCommand(store, first.key, { shape }));
  timings.editMs = performance.now() - t0;
  return timings;
}

Object.assign(window, { panels: { open, finish, settled, timeEdit } });
document.title = 'panels ready';
