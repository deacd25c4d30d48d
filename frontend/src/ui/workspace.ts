// Annotation workspace for one ready image: picks the image source, wires toolbar, tools, editor, readouts and side panel.
import type { Annotation, ImageInfo, Label } from '../api/types';
import type { ApiClient, ApiError } from '../api/client';
import { isRect, type Point, type Rect, type Size } from '../core/geometry';
import { BoxTool } from '../tools/bbox';
import { formatLength, LengthTool, measureLength, spacingOf, type Measurement } from '../tools/length';
import { WindowLevelTool } from '../tools/windowLevel';
import { BoxLayer, type BoxShape, type LineShape } from '../viewer/boxLayer';
import { CanvasSurface } from '../viewer/canvasSurface';
import { chooseSource } from '../viewer/choose';
import { inlineTileSource, tilesUrlFor, versionQuery, type DziInfo } from '../viewer/dzi';
import { ScaleBar } from '../viewer/scaleBar';
import type { ViewerSurface } from '../viewer/surface';
import { TileSurface } from '../viewer/viewer';
import { CT_PRESETS, robustWindow, type WindowPreset } from '../viewer/windowing';
import { AnnotationPanel } from './annotationPanel';
import { DisplayControls } from './displayControls';
import { h } from './dom';
import { AnnotationEditor } from './editor';
import { hotkeyAction } from './hotkeys';
import { MeasurementPanel } from './measurementPanel';
import { Toolbar } from './toolbar';
import { ViewerReadouts } from './viewerReadouts';

export interface WorkspaceData {
  image: ImageInfo;
  labels: Label[];
  annotations: Annotation[];
  dzi: DziInfo;
}

export interface WorkspaceOptions {
  /** May the caller draw and delete boxes (default true)? */
  editable?: boolean;
  /** Shown in the toolbar instead of the drawing controls when not editable. */
  readOnlyReason?: string | null;
  /** Elements placed above the annotation list in the side panel (review notes and actions). */
  sideTop?: Node[];
  /** Frame to open on (0-based, from `?frame=N`). */
  frame?: number;
  /** The frame shown changed (the page keeps `?frame=N` in the URL). */
  onFrame?(frame: number): void;
  /** An annotation write succeeded. */
  onSaved?(): void;
  /** A write was refused because the image is locked for review. */
  onLocked?(err: ApiError): void;
}

/** Handle to a mounted workspace. */
export interface Workspace {
  /** Turn drawing and deleting on or off (e.g. after the image was submitted). */
  setEditable(editable: boolean, reason?: string | null): void;
  /** True while annotation writes are in flight. */
  readonly saving: boolean;
  readonly surface: ViewerSurface;
}

const FALLBACK_COLOR = '#ffcc00';

function safeColor(color: string | undefined): string {
  return color && /^#[0-9a-f]{6}$/i.test(color) ? color : FALLBACK_COLOR;
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

function twoPoints(geometry: unknown): [Point, Point] | null {
  const pts = (geometry as { points?: unknown }).points;
  if (!Array.isArray(pts) || pts.length !== 2) return null;
  const [a, b] = pts as [number, number][];
  return a && b ? [{ x: a[0], y: a[1] }, { x: b[0], y: b[1] }] : null;
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

export function mountWorkspace(
  root: HTMLElement,
  api: ApiClient,
  signal: AbortSignal,
  data: WorkspaceData,
  options: WorkspaceOptions = {},
): Workspace {
  const { dzi } = data;
  const image: ImageInfo = { ...data.image, metadata: data.image.metadata ?? {}, frames: Math.max(1, data.image.frames || 1) };
  const boxLabels = data.labels.filter((l) => l.kind === 'bbox');
  const labelMap = new Map(data.labels.map((l) => [l.id, l]));
  const size: Size = { width: image.width ?? dzi.width, height: image.height ?? dzi.height };
  const spacing = spacingOf(image.metadata);
  const lengthUnit = image.kind === 'slide' ? 'µm' : 'mm'; // a slide's structures are microns across
  const rulerLabel = measurementLabel(data.labels);
  const measurements: Measurement[] = [];
  let draft: Rect | null = null;
  let draftLine: LineShape | null = null;
  let highlighted: number | null = null;
  let editable = options.editable ?? true;
  let cine: ReturnType<typeof setInterval> | null = null;

  const toolbar = new Toolbar(boxLabels, {
    onToolToggle: () => only(tool),
    onUndo: () => void editor.undo(),
    onRedo: () => void editor.redo(),
    onZoom: (kind) => (kind === 'home' ? surface.fit() : surface.zoomBy(kind === 'in' ? 1.5 : 1 / 1.5)),
  });
  const presets = presetsFor(image);
  const raw = chooseSource(image) === 'raw';
  const display = new DisplayControls(
    { presets: raw ? presets : [], frameCount: image.frames },
    {
      onWindowLevelToggle: () => only(windowLevel),
      onPreset: (p) => setWindow(p),
      onInvert: (on) => canvas?.setInvert(on),
      onLengthToggle: () => only(length),
      onSlice: (step) => surface.setFrame(surface.frame + step),
      onPlay: (playing) => play(playing),
    },
  );
  toolbar.addControls(display.el);
  const panel = new AnnotationPanel({
    onDelete: (id) => void editor.remove(id),
    onSelect: (id) => {
      const a = editor.annotations.find((x) => x.id === id);
      if (!a) return;
      surface.setFrame(a.frame ?? 0);
      if (isRect(a.geometry)) surface.showRect(a.geometry);
    },
    onHover: (id) => {
      if (id === highlighted) return;
      highlighted = id;
      renderShapes(); // not the panel: rebuilding it under the pointer would re-fire mouseenter
    },
  });
  panel.frameCount = image.frames;
  const measurementPanel = new MeasurementPanel();
  const viewerEl = h('div', { class: 'viewer', 'data-testid': 'viewer' });
  const hint = h(
    'p',
    { class: 'message warning', hidden: true },
    'This project has no bounding-box labels, so boxes cannot be drawn.',
  );
  const side = h(
    'aside',
    { class: 'side-panel', 'aria-label': 'Image review and annotations' },
    ...(options.sideTop ?? []),
    panel.el,
    measurementPanel.el,
  );
  root.append(toolbar.el, hint, h('div', { class: 'workspace' }, viewerEl, side));

  const surface = createSurface(viewerEl, image, dzi, size, options.frame ?? 0, (message) =>
    toolbar.status.set('error', `Could not open the image: ${message}`),
  );
  const canvas = surface instanceof CanvasSurface ? surface : null;
  const layer = new BoxLayer(surface);
  const readouts = new ViewerReadouts(viewerEl, image, display);
  const scaleBar = spacing ? new ScaleBar(surface, spacing[1] as number, image.kind === 'slide' ? 'µm' : 'mm') : null;

  const editor = new AnnotationEditor(api, image.id, data.annotations, {
    onChange: () => render(),
    onStatus: (kind, text, title) => toolbar.status.set(kind, text, title),
    onSaved: () => options.onSaved?.(),
    onLocked: (err) => options.onLocked?.(err),
  });

  const showDrafts = (): void => layer.setDrafts(draft ? [...editor.pending, draft] : editor.pending);

  function rulers(): LineShape[] {
    const lines: LineShape[] = measurements
      .filter((m) => m.frame === surface.frame)
      .map((m) => ({ a: m.a, b: m.b, text: formatLength(m) }));
    for (const a of editor.annotations) {
      const ends = a.label === rulerLabel?.id && a.frame === surface.frame ? twoPoints(a.geometry) : null;
      if (ends) lines.push({ a: ends[0], b: ends[1], text: formatLength(measureLength(ends[0], ends[1], spacing, lengthUnit)) });
    }
    return draftLine ? [...lines, draftLine] : lines;
  }

  /** Only the frame shown has its annotations drawn. */
  function renderShapes(): void {
    const shapes: BoxShape[] = [];
    for (const a of editor.annotations) {
      if ((a.frame ?? 0) !== surface.frame || !isRect(a.geometry)) continue;
      const color = safeColor(labelMap.get(a.label)?.color);
      shapes.push({ id: a.id, rect: a.geometry, color, highlighted: a.id === highlighted });
    }
    layer.setBoxes(shapes);
    layer.setLines(rulers());
    showDrafts();
  }

  function renderMeasurements(): void {
    const saved = editor.annotations.flatMap((a) => {
      const ends = a.label === rulerLabel?.id ? twoPoints(a.geometry) : null;
      return ends ? [{ id: a.id, frame: a.frame, a: ends[0], b: ends[1], ...measureLength(ends[0], ends[1], spacing, lengthUnit), saved: true }] : [];
    });
    measurementPanel.render([...measurements.map((m) => ({ ...m, saved: false })), ...saved]);
  }

  function render(): void {
    renderShapes();
    panel.render(editor.annotations, labelMap);
    renderMeasurements();
    toolbar.setHistory(editor.canUndo, editor.canRedo);
  }

  function setWindow(w: { center: number; width: number }): void {
    if (!canvas) return;
    canvas.setWindow(w);
    display.showWindow(canvas.window);
  }

  const drawingMode = (on: boolean): void => layer.setDrawingMode(on);
  const tool = new BoxTool(
    {
      overlay: layer.svg,
      get imageSize() {
        return surface.imageSize;
      },
      clientToImage: (x, y) => surface.elementToImage(surface.clientToElement(x, y)),
      setDrawingMode: drawingMode,
      showDraft: (rect) => {
        draft = rect;
        showDrafts();
      },
    },
    {
      onBox: (rect) => {
        if (!editable) return;
        const labelId = toolbar.selectedLabelId;
        if (labelId === null) toolbar.status.set('error', 'Choose a label first.');
        else void editor.createBox(rect, labelId, surface.frame);
      },
      onActiveChange: (active) => toolbar.setToolActive(active),
    },
  );
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
        layer.setLines(rulers());
      },
    },
    {
      onLine: (a, b) => {
        const frame = surface.frame;
        if (editable && rulerLabel) {
          void editor.createShape({ points: [[a.x, a.y], [b.x, b.y]] }, rulerLabel.id, frame);
        } else {
          measurements.push({ id: measurements.length + 1, frame, a, b, ...measureLength(a, b, spacing, lengthUnit) });
          render();
        }
      },
      onActiveChange: (on) => display.setLengthActive(on),
    },
  );
  const tools = [tool, windowLevel, length];
  /** Toggle one tool; any other goes off first (one tool has the mouse at a time). */
  function only(which: (typeof tools)[number]): void {
    for (const t of tools) if (t !== which) t.deactivate();
    if (which === tool && (boxLabels.length === 0 || !editable)) return;
    if (which === windowLevel && !canvas) return;
    which.toggle();
  }

  function play(on: boolean): void {
    if (cine) clearInterval(cine);
    cine = null;
    if (on) cine = setInterval(() => surface.setFrame((surface.frame + 1) % surface.frameCount), 1000 / display.frameRate);
  }

  const unsubscribe = surface.subscribe((change) => {
    if (change === 'frame' || change === 'open') {
      renderShapes();
      readouts.update(surface);
      options.onFrame?.(surface.frame);
    }
    if (change === 'open' && canvas?.shownFrame?.samples === 1) {
      display.showWindow(canvas.window);
      display.addPreset({ name: 'Data range', ...robustWindow(canvas.shownFrame.values) });
    }
  });
  readouts.update(surface);

  const onKey = (event: KeyboardEvent): void => {
    const action = hotkeyAction(event, boxLabels);
    if (!action) return;
    const viewing = ['leave-tool', 'window-level', 'length', 'fit', 'slice'].includes(action.type);
    if (!editable && !viewing) return;
    event.preventDefault();
    if (action.type === 'toggle-tool') only(tool);
    else if (action.type === 'leave-tool') {
      for (const t of tools) t.deactivate();
      display.setPlaying(false);
    } else if (action.type === 'window-level') only(windowLevel);
    else if (action.type === 'length') only(length);
    else if (action.type === 'fit') surface.fit();
    else if (action.type === 'slice') surface.setFrame(surface.frame + action.step);
    else if (action.type === 'undo') void editor.undo();
    else if (action.type === 'redo') void editor.redo();
    else toolbar.selectLabel(action.id);
  };
  document.addEventListener('keydown', onKey);

  signal.addEventListener('abort', () => {
    document.removeEventListener('keydown', onKey);
    play(false);
    for (const t of tools) t.deactivate();
    unsubscribe();
    scaleBar?.destroy();
    readouts.destroy();
    layer.destroy();
    surface.destroy();
  });

  function setEditable(on: boolean, reason: string | null = null): void {
    editable = on;
    if (!on) tool.deactivate();
    toolbar.setEditable(on, reason);
    panel.editable = on;
    hint.hidden = !on || boxLabels.length > 0;
    render();
  }

  setEditable(editable, options.readOnlyReason ?? null);
  return {
    setEditable,
    surface,
    get saving() {
      return editor.busy;
    },
  };
}
