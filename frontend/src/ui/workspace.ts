// Annotation workspace for one ready image: the viewer source, tool registry, command stack, save queue and panels.
import type { Annotation, ImageInfo, Label } from '../api/types';
import type { ApiClient } from '../api/client';
import { hasAttributes, hasRequiredAttributes } from '../core/attributes';
import { batchCommand, createCommand, deleteCommand, type Command } from '../core/commands';
import { CommandStack } from '../core/commands';
import type { Size } from '../core/geometry';
import { copyToFrameCommand, interpolateCommand, keyframePairs } from '../core/interpolate';
import { SaveQueue, statusText, type SaveStatus } from '../core/saveQueue';
import { IndexedDbQueueStorage, MemoryQueueStorage, type QueueStorage } from '../core/saveStorage';
import { apiTransport } from '../core/saveTransport';
import { Selection } from '../core/selection';
import { shapeBounds, type Shape } from '../core/shapes/model';
import { AnnotationStore, type AnnotationRecord } from '../core/store';
import { CombineError, finishCommand } from '../tools/combine';
import { defaultTools } from '../tools/index';
import { formatLength, LengthTool, measureLength, spacingOf, type Measurement } from '../tools/length';
import { HIT_PX, type CombineMode, type Draft, type Tool, type ToolContext, type ToolPointer } from '../tools/types';
import { WindowLevelTool } from '../tools/windowLevel';
import { RulerLayer, type LineShape } from '../viewer/rulerLayer';
import { CanvasSurface } from '../viewer/canvasSurface';
import { chooseSource } from '../viewer/choose';
import { inlineTileSource, tilesUrlFor, versionQuery, type DziInfo } from '../viewer/dzi';
import { EditOverlay } from '../viewer/editOverlay';
import { ScaleBar } from '../viewer/scaleBar';
import { ShapeLayer } from '../viewer/shapeLayer';
import type { ViewerSurface } from '../viewer/surface';
import { TileSurface } from '../viewer/viewer';
import { CT_PRESETS, robustWindow, type WindowPreset } from '../viewer/windowing';
import { openAttributesForm } from './attributesForm';
import { openConflictDialog } from './conflictDialog';
import { DisplayControls } from './displayControls';
import { h } from './dom';
import { hotkeyAction, isTextField, VIEWING_ACTIONS } from './hotkeys';
import { MeasurementPanel } from './measurementPanel';
import { mountSidePanels, type SidePanels } from './sidePanels';
import { Toolbar } from './toolbar';
import { ViewerReadouts } from './viewerReadouts';

export interface WorkspaceData {
  image: ImageInfo;
  labels: Label[];
  annotations: Annotation[];
  dzi: DziInfo;
}

export interface WorkspaceOptions {
  /** May the caller draw and edit (default true)? */
  editable?: boolean;
  /** Shown in the toolbar instead of the drawing controls when not editable. */
  readOnlyReason?: string | null;
  /** Elements placed above the annotation list in the side panel (review notes and actions). */
  sideTop?: Node[];
  /** Frame to open on (0-based, from `?frame=N`). */
  frame?: number;
  /** The frame shown changed (the page keeps `?frame=N` in the URL). */
  onFrame?(frame: number): void;
  /** Every change made so far reached the server. */
  onSaved?(): void;
  /** The server refused a change for good (e.g. the image was submitted for review meanwhile). */
  onLocked?(err: unknown): void;
  /** Where unsent changes survive a reload (default IndexedDB, memory where the browser has none). */
  storage?: QueueStorage;
  /** Milliseconds between a change and its autosave (default 300: quick edits go out as one request). */
  saveDelayMs?: number;
}

/** Handle to a mounted workspace. */
export interface Workspace {
  /** Turn drawing and editing on or off (e.g. after the image was submitted). */
  setEditable(editable: boolean, reason?: string | null): void;
  /** True while changes are not yet confirmed by the server. */
  readonly saving: boolean;
  readonly surface: ViewerSurface;
  readonly store: AnnotationStore;
  readonly queue: SaveQueue;
}

/** The window the file states (stored at ingest) as a preset, then the CT presets for CT. */
function presetsFor(image: ImageInfo): WindowPreset[] {
  const m = image.metadata;
  const presets: WindowPreset[] = [];
  if (typeof m.window_center === 'number' && typeof m.window_width === 'number' && m.window_width > 0) {
    presets.push({ name: 'File window', center: m.window_center, width: m.window_width });
  }
  return m.modality === 'CT' ? [...presets, ...CT_PRESETS] : presets;
}

/** The label a Length ruler is saved under: a polyline label named like a measurement, else the first polyline label. */
function measurementLabel(labels: Label[]): Label | null {
  const lines = labels.filter((l) => l.kind === 'polyline');
  return lines.find((l) => /length|measure|ruler|distance/i.test(l.name)) ?? lines[0] ?? null;
}

/** A saved ruler: a two-point polyline of the measurement label. */
function rulerEnds(record: AnnotationRecord, rulerLabel: Label | null): [{ x: number; y: number }, { x: number; y: number }] | null {
  if (!rulerLabel || record.label !== rulerLabel.id || record.shape.kind !== 'polyline' || record.shape.points.length !== 2) return null;
  const [a, b] = record.shape.points;
  return a && b ? [a, b] : null;
}

/** Slices fetched ahead and behind; sessionStorage `annotator.prefetchRadius` overrides it (the benchmark's off switch). */
function prefetchRadius(): number | undefined {
  try {
    const value = Number(sessionStorage.getItem('annotator.prefetchRadius') ?? NaN);
    return Number.isInteger(value) && value >= 0 ? value : undefined;
  } catch {
    return undefined; // storage blocked: the default
  }
}

function createSurface(el: HTMLElement, image: ImageInfo, dzi: DziInfo, size: Size, frame: number, onFail: (m: string) => void): ViewerSurface {
  const version = versionQuery(image.dzi_url);
  if (chooseSource(image) === 'raw') {
    el.dataset.source = 'raw';
    return new CanvasSurface(el, { imageId: image.id, frameCount: image.frames, size, versionQuery: version, frame, prefetchRadius: prefetchRadius() });
  }
  el.dataset.source = 'tiles';
  const source = inlineTileSource(dzi, tilesUrlFor(image.id), version);
  return new TileSurface(el, { source, size, frameCount: image.frames, frame, onOpenFailed: onFail });
}

function defaultStorage(): QueueStorage {
  return typeof indexedDB === 'undefined' ? new MemoryQueueStorage() : new IndexedDbQueueStorage();
}

/** The save queue, with IndexedDB when it opens and memory when the browser refuses it (private modes). */
async function openQueue(options: Omit<Parameters<typeof SaveQueue.open>[0], 'storage'>, storage: QueueStorage): Promise<SaveQueue> {
  try {
    return await SaveQueue.open({ ...options, storage });
  } catch {
    return SaveQueue.open({ ...options, storage: new MemoryQueueStorage() });
  }
}

const STATUS_KIND: Record<SaveStatus['kind'], 'ok' | 'busy' | 'error'> = {
  saved: 'ok',
  saving: 'busy',
  offline: 'error',
  failed: 'error',
  conflict: 'error',
};

export async function mountWorkspace(
  root: HTMLElement,
  api: ApiClient,
  signal: AbortSignal,
  data: WorkspaceData,
  options: WorkspaceOptions = {},
): Promise<Workspace> {
  const { dzi } = data;
  const image: ImageInfo = { ...data.image, metadata: data.image.metadata ?? {}, frames: Math.max(1, data.image.frames || 1) };
  const labels = data.labels;
  const drawable = labels.filter((l) => l.kind !== 'tag');
  const labelById = new Map(labels.map((l) => [l.id, l]));
  const size: Size = { width: image.width ?? dzi.width, height: image.height ?? dzi.height };
  const spacing = spacingOf(image.metadata);
  const lengthUnit = image.kind === 'slide' ? 'µm' : 'mm'; // a slide's structures are microns across
  const rulerLabel = measurementLabel(labels);
  const measurements: Measurement[] = [];
  let draftLine: LineShape | null = null;
  let editable = options.editable ?? true;
  let cine: ReturnType<typeof setInterval> | null = null;

  const store = new AnnotationStore();
  const stack = new CommandStack(store);
  const selection = new Selection();
  // Opened first: the page is ready (keys, pointer) as soon as the viewer says it is.
  const kinds = new Map(labels.map((l) => [l.id, l.kind]));
  const queue = await openQueue(
    {
      imageId: image.id,
      store,
      transport: apiTransport(api),
      kindOf: (id) => kinds.get(id) ?? 'polygon',
      delayMs: options.saveDelayMs,
      onRejected: (err) => options.onLocked?.(err),
    },
    options.storage ?? defaultStorage(),
  );
  if (signal.aborted) {
    queue.destroy(); // the page was left while the queue opened
    throw new DOMException('The page was left', 'AbortError');
  }

  const registry = defaultTools();
  const tools = new Map<string, Tool>(registry.all().map((d) => [d.name, d.create()]));
  const toolKeys = new Map(registry.all().map((d) => [d.key, d.name]));
  let toolName: string | null = null;
  /** The keys that pick a label, as the key handler reads them (its position 1–9, its own hotkey where free). */
  const labelKeys = (label: Label): string[] =>
    [...new Set([String(labels.indexOf(label) + 1), label.hotkey ?? ''])].filter((k) => {
      if (!k) return false;
      const action = hotkeyAction({ key: k, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, target: null }, { tools: toolKeys, labels });
      return action?.type === 'label' && action.id === label.id;
    });

  const toolbar = new Toolbar(drawable, registry.all(), {
    onTool: (name) => chooseTool(name),
    onLabel: (id) => labelChosen(id),
    onUndo: () => stack.undo(),
    onRedo: () => stack.redo(),
    onDelete: () => deleteSelection(),
    onInterpolate: () => interpolate(),
    onCopyNext: () => copyToNext(),
    onDiscard: () => void queue.discardRefused(),
    onZoom: (kind) => (kind === 'home' ? surface.fit() : surface.zoomBy(kind === 'in' ? 1.5 : 1 / 1.5)),
  }, labelKeys);
  const presets = presetsFor(image);
  const raw = chooseSource(image) === 'raw';
  const display = new DisplayControls(
    { presets: raw ? presets : [], frameCount: image.frames },
    {
      onWindowLevelToggle: () => viewingTool(windowLevel),
      onPreset: (p) => setWindow(p),
      onInvert: (on) => canvas?.setInvert(on),
      onLengthToggle: () => viewingTool(length),
      onSlice: (step) => surface.setFrame(surface.frame + step),
      onPlay: (playing) => play(playing),
    },
  );
  toolbar.addControls(display.el);
  const measurementPanel = new MeasurementPanel();
  const viewerEl = h('div', { class: 'viewer', 'data-testid': 'viewer' });
  const hint = h('p', { class: 'message warning', hidden: true }, 'This project has no labels yet, so nothing can be drawn.');
  const panelsHost = h('div', { class: 'panels-host' });
  const side = h(
    'aside',
    { class: 'side-panel', 'aria-label': 'Image review and annotations' },
    ...(options.sideTop ?? []),
    panelsHost,
    measurementPanel.el,
  );
  root.append(toolbar.el, hint, h('div', { class: 'workspace' }, viewerEl, side));

  const surface = createSurface(viewerEl, image, dzi, size, options.frame ?? 0, (message) =>
    toolbar.notice.set('error', `Could not open the image: ${message}`),
  );
  const canvas = surface instanceof CanvasSurface ? surface : null;
  const layer = new ShapeLayer(surface, store, labels, { selected: () => selection.list() });
  const overlay = new EditOverlay(surface);
  const rulers = new RulerLayer(surface);
  const readouts = new ViewerReadouts(viewerEl, image, display);
  const scaleBar = spacing ? new ScaleBar(surface, spacing[1] as number, lengthUnit) : null;

  // ---- drawing tools -------------------------------------------------------------------------------------------

  const currentLabel = (): Label | null => {
    const id = toolbar.selectedLabelId;
    return id === null ? null : (labelById.get(id) ?? null);
  };
  const active = (): Tool | null => (toolName && editable ? (tools.get(toolName) ?? null) : null);
  const drawsKind = (name: string, kind: Label['kind']): boolean => registry.get(name)?.kinds?.includes(kind) ?? false;

  function colorOf(labelId: number | undefined): string {
    return (labelId !== undefined && layer.style(labelId)?.color) || '#E69F00';
  }

  function showDraft(d: Draft | null): void {
    const key = d?.editing?.[0];
    overlay.setColor(colorOf(key ? store.get(key)?.label : currentLabel()?.id));
    overlay.show(d);
    layer.setEditing(d?.editing ?? []);
  }

  function context(): ToolContext {
    return {
      scale: surface.transform().scale,
      image: surface.imageSize ?? size,
      frame: surface.frame,
      label: currentLabel(),
      store,
      selection,
      hitTest: (p, tolerance) => layer.hitTest(p, tolerance),
      finish: (shape, mode) => void finishShape(shape, mode),
      commit: (command) => execute(command),
      draft: showDraft,
    };
  }

  function execute(command: Command): void {
    if (!editable) return;
    toolbar.notice.set('idle', '');
    stack.execute(command);
  }

  /** A finished new shape: ask for required attributes first (the shape waits as a draft), then one command. */
  async function finishShape(shape: Shape, mode: CombineMode): Promise<void> {
    const label = currentLabel();
    const frame = surface.frame;
    if (!label || !editable) return;
    let attributes: Record<string, unknown> = {};
    if (hasRequiredAttributes(label) && mode === 'new') {
      overlay.setColor(colorOf(label.id));
      overlay.show({ shape });
      const values = await openAttributesForm(document.body, label, {});
      overlay.show(null);
      if (values === null) {
        toolbar.notice.set('idle', 'Shape discarded', 'The attributes form was cancelled, so the shape was not kept.');
        return;
      }
      attributes = values;
    }
    try {
      execute(finishCommand(store, { label: label.id, frame, attributes }, shape, mode));
    } catch (err) {
      if (!(err instanceof CombineError)) throw err;
      toolbar.notice.set('error', `Not drawn: ${err.message}`);
    }
  }

  /** A tool button or key: a second press of the active tool leaves it for Select. */
  function chooseTool(name: string | null): void {
    if (name && !usable(name)) {
      const kinds = registry.get(name)?.kinds?.join(' or ') ?? '';
      toolbar.notice.set('idle', `${name}: this project has no ${kinds} label.`);
      return;
    }
    setTool(name === toolName && name !== 'Select' && !windowLevel.active && !length.active ? 'Select' : name);
  }

  function setTool(name: string | null): void {
    if (toolName && name !== toolName) tools.get(toolName)?.cancel(context());
    windowLevel.deactivate();
    length.deactivate();
    toolName = editable ? name : null;
    const label = currentLabel();
    if (toolName && label && registry.get(toolName)?.kinds && !drawsKind(toolName, label.kind)) {
      const fit = drawable.find((l) => drawsKind(toolName!, l.kind));
      if (fit) toolbar.selectLabel(fit.id);
    }
    toolbar.setActiveTool(toolName);
    showBrushSize();
    surface.setPanEnabled(toolName === null || toolName === 'Select');
    viewerEl.dataset.tool = toolName ?? '';
  }

  /** Brush and Eraser carry a size; the toolbar shows it while one of them is in hand. */
  function brushSize(): number | null {
    const tool = active() as (Tool & { size?: number }) | null;
    return tool && typeof tool.size === 'number' ? tool.size : null;
  }

  function showBrushSize(): void {
    const px = brushSize();
    toolbar.setBrushSize(px);
    if (px === null) brushRing.hidden = true;
    else brushRing.style.width = brushRing.style.height = `${px}px`;
  }

  /** Brush and Eraser: a ring of the brush's size follows the pointer (the size is in screen px). */
  const brushRing = h('div', { class: 'brush-ring', 'data-testid': 'brush-ring', 'aria-hidden': 'true', hidden: true });
  viewerEl.append(brushRing);
  function moveBrushRing(e: PointerEvent): void {
    if (brushSize() === null) return;
    const at = surface.clientToElement(e.clientX, e.clientY);
    brushRing.hidden = false;
    brushRing.style.transform = `translate(${at.x}px, ${at.y}px) translate(-50%, -50%)`;
  }
  viewerEl.addEventListener('pointerleave', () => {
    brushRing.hidden = true;
  });

  function labelChosen(id: number): void {
    const label = labelById.get(id);
    if (!label || !toolName || !registry.get(toolName)?.kinds || drawsKind(toolName, label.kind)) return;
    const fit = registry.forKind(label.kind)[0];
    if (fit) setTool(fit.name);
  }

  /** A drawing tool is usable when the project has a label of a kind it draws (editing tools always are). */
  function usable(name: string): boolean {
    const kinds = registry.get(name)?.kinds;
    return kinds === null || (kinds !== undefined && drawable.some((l) => kinds.includes(l.kind)));
  }

  function refreshToolAvailability(): void {
    for (const d of registry.all()) {
      const ok = usable(d.name);
      toolbar.setToolEnabled(d.name, ok, ok ? '' : `no ${d.kinds?.join('/')} label in this project`);
    }
  }

  // ---- pointer events: the active tool first, the surface's pan otherwise ------------------------------------

  let held: number | null = null;
  const toolPointer = (e: MouseEvent): ToolPointer => ({
    p: surface.elementToImage(surface.clientToElement(e.clientX, e.clientY)),
    shift: e.shiftKey,
    alt: e.altKey,
    ctrl: e.ctrlKey || e.metaKey,
  });
  const onPointerDown = (e: PointerEvent): void => {
    const tool = active();
    if (!tool || e.button !== 0 || !e.isPrimary || !surface.imageSize) return;
    if (!tool.down(toolPointer(e), context())) return; // Select on empty image: the surface pans
    held = e.pointerId;
    e.stopImmediatePropagation();
    e.preventDefault();
    surface.setPanEnabled(false);
    try {
      viewerEl.setPointerCapture(e.pointerId);
    } catch {
      // The drag still works while the pointer stays over the viewer.
    }
  };
  const onPointerMove = (e: PointerEvent): void => {
    const tool = active();
    if (!tool || !e.isPrimary || !surface.imageSize) return;
    const pointer = toolPointer(e);
    tool.move(pointer, context());
    moveBrushRing(e);
    if (held === e.pointerId) e.stopImmediatePropagation();
    else if (toolName === 'Select') {
      // Over a shape the pointer says it can be grabbed; over empty image, that a drag pans.
      const over = layer.hitTest(pointer.p, HIT_PX / surface.transform().scale).length > 0;
      viewerEl.classList.toggle('over-shape', over);
    }
  };
  const onPointerUp = (e: PointerEvent): void => {
    if (held !== e.pointerId) return;
    held = null;
    e.stopImmediatePropagation();
    active()?.up(toolPointer(e), context());
    surface.setPanEnabled(toolName === null || toolName === 'Select');
  };
  const onPointerCancel = (e: PointerEvent): void => {
    if (held !== e.pointerId) return;
    held = null;
    active()?.cancel(context());
    surface.setPanEnabled(toolName === null || toolName === 'Select');
  };
  const onDoubleClick = (e: MouseEvent): void => {
    const tool = active();
    if (!tool) return;
    const pointer = toolPointer(e);
    if (tool.doubleClick) {
      e.stopImmediatePropagation();
      e.preventDefault();
      tool.doubleClick(pointer, context());
      return;
    }
    // Select: a double-click on a shape whose label has attributes opens its form (instead of zooming in).
    const key = toolName === 'Select' ? layer.hitTest(pointer.p, HIT_PX / surface.transform().scale)[0] : undefined;
    const label = key ? labelById.get(store.get(key)?.label ?? -1) : undefined;
    if (!key || !label || !hasAttributes(label)) return;
    e.stopImmediatePropagation();
    e.preventDefault();
    void panels?.editAttributes(key);
  };
  viewerEl.addEventListener('pointerdown', onPointerDown, { capture: true });
  viewerEl.addEventListener('pointermove', onPointerMove, { capture: true });
  viewerEl.addEventListener('pointerup', onPointerUp, { capture: true });
  viewerEl.addEventListener('pointercancel', onPointerCancel, { capture: true });
  viewerEl.addEventListener('dblclick', onDoubleClick, { capture: true });

  // ---- selection actions -------------------------------------------------------------------------------------

  const selectedRecords = (): AnnotationRecord[] => selection.list().flatMap((k) => store.get(k) ?? []);

  function deleteSelection(): void {
    const keys = selection.list().filter((k) => store.get(k)?.shape.kind !== 'tag');
    if (keys.length === 0) return;
    execute(deleteCommand(store, keys));
    selection.clear();
  }

  /**
   * What Interpolate fills: between two selected shapes of one label (slices at least two apart), or, with one
   * shape selected, every gap between consecutive annotated slices of its label (keyframes drawn, one press).
   */
  function interpolationPairs(): [AnnotationRecord, AnnotationRecord][] {
    const picked = selectedRecords().filter((r) => r.shape.kind !== 'tag');
    if (picked.length === 1) return keyframePairs(store.all(), picked[0]!.label, picked[0]!.shape.kind);
    if (picked.length !== 2) return [];
    const [a, b] = picked as [AnnotationRecord, AnnotationRecord];
    if (a.label !== b.label || Math.abs(a.frame - b.frame) < 2 || a.shape.kind !== b.shape.kind) return [];
    return [a.frame < b.frame ? [a, b] : [b, a]];
  }

  function interpolate(): void {
    const pairs = interpolationPairs();
    if (pairs.length === 0) {
      toolbar.notice.set(
        'error',
        'Interpolate: select two shapes of one label on slices at least two apart, or one shape of a label drawn on slices with gaps between.',
      );
      return;
    }
    const label = pairs[0]![0].label;
    const occupied = (f: number) => store.onFrame(f).some((r) => r.label === label);
    try {
      const commands = pairs.map(([a, b]) => interpolateCommand(a, b, surface.imageSize ?? size, occupied));
      const command = batchCommand('Interpolate', commands);
      if (command.changes.length === 0) toolbar.notice.set('idle', 'Interpolate: every slice in between already has this label.');
      else execute(command);
    } catch (err) {
      toolbar.notice.set('error', `Interpolate: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  function copyToNext(): void {
    const next = surface.frame + 1;
    const records = selectedRecords().filter((r) => r.frame === surface.frame && r.shape.kind !== 'tag');
    if (records.length === 0 || next >= surface.frameCount) return;
    const command = batchCommand('Copy to following slice', records.map((r) => copyToFrameCommand(r, next)));
    execute(command);
    surface.setFrame(next);
    selection.set(command.changes.map((c) => c.key));
  }

  function refreshActions(): void {
    const records = selectedRecords();
    const onFrame = records.filter((r) => r.frame === surface.frame && r.shape.kind !== 'tag');
    toolbar.setSelectionActions({
      delete: editable && records.some((r) => r.shape.kind !== 'tag'),
      interpolate: editable && interpolationPairs().length > 0,
      copy: editable && onFrame.length > 0 && surface.frame + 1 < surface.frameCount,
    });
  }

  // ---- rulers and measurements --------------------------------------------------------------------------------

  function renderRulers(): void {
    const lines: LineShape[] = measurements
      .filter((m) => m.frame === surface.frame)
      .map((m) => ({ a: m.a, b: m.b, text: formatLength(m) }));
    for (const r of store.onFrame(surface.frame)) {
      const ends = rulerEnds(r, rulerLabel);
      if (ends) lines.push({ a: ends[0], b: ends[1], text: formatLength(measureLength(ends[0], ends[1], spacing, lengthUnit)) });
    }
    rulers.setLines(draftLine ? [...lines, draftLine] : lines);
  }

  function renderMeasurements(): void {
    // Rulers saved as annotations (or on their way to the server: the save status tells which).
    const saved = store.all().flatMap((r, i) => {
      const ends = rulerEnds(r, rulerLabel);
      return ends ? [{ id: r.id ?? -1 - i, frame: r.frame, a: ends[0], b: ends[1], ...measureLength(ends[0], ends[1], spacing, lengthUnit), saved: true }] : [];
    });
    measurementPanel.render([...measurements.map((m) => ({ ...m, saved: false })), ...saved]);
  }

  function setWindow(w: { center: number; width: number }): void {
    if (!canvas) return;
    canvas.setWindow(w);
    display.showWindow(canvas.window);
  }

  const windowLevel = new WindowLevelTool(
    {
      element: viewerEl,
      get window() {
        return canvas?.window ?? null;
      },
      setWindow,
      setDrawingMode: (on) => surface.setPanEnabled(!on),
    },
    { onActiveChange: (on) => display.setWindowLevelActive(on) },
  );
  const length = new LengthTool(
    {
      element: viewerEl,
      get imageSize() {
        return surface.imageSize;
      },
      clientToImage: (x, y) => surface.elementToImage(surface.clientToElement(x, y)),
      setDrawingMode: (on) => surface.setPanEnabled(!on),
      showDraft: (a, b) => {
        draftLine = a && b ? { a, b, text: formatLength(measureLength(a, b, spacing, lengthUnit)) } : null;
        renderRulers();
      },
    },
    {
      onLine: (a, b) => {
        const frame = surface.frame;
        if (editable && rulerLabel) {
          execute(createCommand({ label: rulerLabel.id, frame, shape: { kind: 'polyline', points: [a, b] }, attributes: {} }, undefined, 'Length'));
        } else {
          measurements.push({ id: measurements.length + 1, frame, a, b, ...measureLength(a, b, spacing, lengthUnit) });
          renderRulers();
          renderMeasurements();
        }
      },
      onActiveChange: (on) => display.setLengthActive(on),
    },
  );

  /** Window/level and Length take the mouse from the drawing tool while on; pressing again goes back to Select. */
  function viewingTool(which: WindowLevelTool | LengthTool): void {
    if (which === windowLevel && !canvas) return;
    const other = which === windowLevel ? length : windowLevel;
    other.deactivate();
    if (which.active) {
      which.deactivate();
      setTool(editable ? 'Select' : null);
      return;
    }
    if (toolName) tools.get(toolName)?.cancel(context());
    toolName = null;
    toolbar.setActiveTool(null);
    which.activate();
  }

  function play(on: boolean): void {
    if (cine) clearInterval(cine);
    cine = null;
    if (on) cine = setInterval(() => surface.setFrame((surface.frame + 1) % surface.frameCount), 1000 / display.frameRate);
  }

  // ---- panels ---------------------------------------------------------------------------------------------------

  let panels: SidePanels | null = null;
  let helpButton: HTMLButtonElement | null = null;
  function zoomTo(key: string): void {
    const record = store.get(key);
    if (!record) return;
    if (record.frame !== surface.frame && record.shape.kind !== 'tag') surface.setFrame(record.frame);
    const bounds = shapeBounds(record.shape);
    if (bounds) surface.showRect(bounds);
  }
  function mountPanels(): void {
    panels?.destroy();
    panelsHost.replaceChildren();
    panels = mountSidePanels({
      side: panelsHost,
      store,
      stack,
      selection,
      labels,
      tools: registry,
      readOnly: !editable,
      frameCount: image.frames,
      layerStyle: (id, style) => layer.setLabelStyle(id, style),
      zoomTo,
    });
    helpButton?.remove();
    helpButton = panels.help.button;
    toolbar.addControls(helpButton);
  }

  // ---- saving ---------------------------------------------------------------------------------------------------

  let conflictOpen = false;
  let wasBusy = false;
  function showStatus(status: SaveStatus): void {
    toolbar.status.set(STATUS_KIND[status.kind], statusText(status));
    toolbar.setRefused(queue.refusedCount);
    const busy = status.kind !== 'saved';
    if (wasBusy && !busy) options.onSaved?.();
    wasBusy = busy;
    const conflict = queue.conflict;
    if (status.kind === 'conflict' && conflict && !conflictOpen) {
      conflictOpen = true;
      void openConflictDialog(document.body, conflict, labels).then(() => {
        conflictOpen = false;
      });
    }
  }
  const offStatus = queue.onStatus(showStatus);
  const onOnline = (): void => queue.retryNow();
  window.addEventListener('online', onOnline);
  toolbar.status.el.addEventListener('click', () => queue.retryNow());

  // ---- change listeners ------------------------------------------------------------------------------------------

  const offStack = stack.subscribe(() => toolbar.setHistory(stack.canUndo, stack.canRedo, stack.undoName, stack.redoName));
  const offSelection = selection.subscribe(() => {
    layer.invalidate();
    refreshActions();
  });
  const offStore = store.subscribe(() => {
    const gone = selection.list().filter((k) => !store.get(k));
    if (gone.length) selection.set(selection.list().filter((k) => store.get(k)));
    renderRulers();
    renderMeasurements();
    refreshActions();
  });
  const offSurface = surface.subscribe((change) => {
    if (change === 'frame' || change === 'open') {
      renderRulers();
      readouts.update(surface);
      refreshActions();
      options.onFrame?.(surface.frame);
    }
    if (change === 'open' && canvas?.shownFrame?.samples === 1) {
      display.showWindow(canvas.window);
      display.addPreset({ name: 'Data range', ...robustWindow(canvas.shownFrame.values) });
    }
  });
  readouts.update(surface);

  // ---- keys -----------------------------------------------------------------------------------------------------

  const onKey = (event: KeyboardEvent): void => {
    if (event.defaultPrevented) return;
    const tool = active();
    const plain = !event.ctrlKey && !event.metaKey;
    // The active tool sees plain keys first (Enter closes a polygon, [ ] size the brush, Delete in Select).
    if (tool?.key && plain && !isTextField(event.target) && tool.key(event.key, context())) {
      event.preventDefault();
      showBrushSize();
      return;
    }
    const action = hotkeyAction(event, { tools: toolKeys, labels });
    if (!action) return;
    if (!editable && !VIEWING_ACTIONS.has(action.type)) return;
    event.preventDefault();
    switch (action.type) {
      case 'tool':
        chooseTool(action.name);
        break;
      case 'leave-tool':
        display.setPlaying(false);
        if (windowLevel.active || length.active) viewingTool(windowLevel.active ? windowLevel : length);
        else if (tool && !tool.cancel(context()) && toolName !== 'Select') setTool('Select');
        break;
      case 'window-level':
        viewingTool(windowLevel);
        break;
      case 'length':
        viewingTool(length);
        break;
      case 'fit':
        surface.fit();
        break;
      case 'slice':
        surface.setFrame(surface.frame + action.step);
        break;
      case 'undo':
        stack.undo();
        break;
      case 'redo':
        stack.redo();
        break;
      case 'delete':
        deleteSelection();
        break;
      case 'interpolate':
        interpolate();
        break;
      case 'help':
        panels?.help.toggle();
        break;
      case 'label':
        pickLabel(action.id);
        break;
    }
  };
  document.addEventListener('keydown', onKey);

  /** A label key: a drawn label becomes the current one; a tag label's checkbox is toggled. */
  function pickLabel(id: number): void {
    const label = labelById.get(id);
    if (!label) return;
    if (label.kind === 'tag') {
      panels?.tags.el.querySelectorAll<HTMLInputElement>('input[type=checkbox]').forEach((box) => {
        if (box.closest('label')?.textContent === label.name) box.click();
      });
      return;
    }
    toolbar.selectLabel(id);
    if (!toolName || toolName === 'Select' || !drawsKind(toolName, label.kind)) {
      const fit = registry.forKind(label.kind)[0];
      if (fit) setTool(fit.name);
    }
  }

  // ---- life cycle -------------------------------------------------------------------------------------------------

  signal.addEventListener('abort', () => {
    document.removeEventListener('keydown', onKey);
    window.removeEventListener('online', onOnline);
    play(false);
    windowLevel.deactivate();
    length.deactivate();
    for (const off of [offStatus, offStack, offSelection, offStore, offSurface]) off();
    panels?.destroy();
    void queue.close(); // what is pending goes out now, not at the next visit of this image
    overlay.destroy();
    rulers.destroy();
    layer.destroy();
    scaleBar?.destroy();
    readouts.destroy();
    surface.destroy();
  });

  /** Called on every workflow change (also when nothing changed for editing): keeps the tool and the panels then. */
  function setEditable(on: boolean, reason: string | null = null): void {
    const changed = on !== editable || panels === null;
    editable = on;
    toolbar.setEditable(on, reason);
    hint.hidden = !on || labels.length > 0;
    if (!changed) return;
    setTool(on ? (toolName ?? 'Select') : null);
    mountPanels(); // read-only panels have no delete or attribute buttons
    refreshActions();
  }

  refreshToolAvailability();
  queue.load(data.annotations);
  showStatus(queue.status);
  setEditable(editable, options.readOnlyReason ?? null);
  renderRulers();
  renderMeasurements();
  return {
    setEditable,
    surface,
    store,
    queue,
    get saving() {
      return queue.pending.length > 0 || queue.status.kind === 'saving';
    },
  };
}
