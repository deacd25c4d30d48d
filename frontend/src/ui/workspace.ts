// Annotation workspace for one ready image: wires toolbar, OSD viewer, box tool, editor and side panel (or read-only).
import type { Annotation, ImageInfo, Label } from '../api/types';
import type { ApiClient, ApiError } from '../api/client';
import { isRect, type Rect, type Size } from '../core/geometry';
import { BoxTool } from '../tools/bbox';
import { inlineTileSource, tilesUrlFor, versionQuery, type DziInfo } from '../viewer/dzi';
import { ImageViewer, type BoxShape } from '../viewer/viewer';
import { AnnotationPanel } from './annotationPanel';
import { h } from './dom';
import { AnnotationEditor } from './editor';
import { hotkeyAction } from './hotkeys';
import { Toolbar } from './toolbar';

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
}

const FALLBACK_COLOR = '#ffcc00';

function safeColor(color: string | undefined): string {
  return color && /^#[0-9a-f]{6}$/i.test(color) ? color : FALLBACK_COLOR;
}

export function mountWorkspace(
  root: HTMLElement,
  api: ApiClient,
  signal: AbortSignal,
  data: WorkspaceData,
  options: WorkspaceOptions = {},
): Workspace {
  const { image, dzi } = data;
  const boxLabels = data.labels.filter((l) => l.kind === 'bbox');
  const labelMap = new Map(data.labels.map((l) => [l.id, l]));
  const size: Size = { width: image.width ?? dzi.width, height: image.height ?? dzi.height };
  let draft: Rect | null = null;
  let highlighted: number | null = null;
  let editable = options.editable ?? true;

  const toolbar = new Toolbar(boxLabels, {
    onToolToggle: () => tool.toggle(),
    onUndo: () => void editor.undo(),
    onRedo: () => void editor.redo(),
    onZoom: (kind) => (kind === 'home' ? viewer.goHome() : viewer.zoomBy(kind === 'in' ? 1.5 : 1 / 1.5)),
  });
  const panel = new AnnotationPanel({
    onDelete: (id) => void editor.remove(id),
    onSelect: (id) => {
      const a = editor.annotations.find((x) => x.id === id);
      if (a && isRect(a.geometry)) viewer.showRect(a.geometry);
    },
    onHover: (id) => {
      if (id === highlighted) return;
      highlighted = id;
      renderBoxes(); // not the panel: rebuilding it under the pointer would re-fire mouseenter
    },
  });
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
  );
  root.append(toolbar.el, hint, h('div', { class: 'workspace' }, viewerEl, side));

  const viewer = new ImageViewer(viewerEl, {
    onOpenFailed: (message) => toolbar.status.set('error', `Could not open the image: ${message}`),
  });
  viewer.open(inlineTileSource(dzi, tilesUrlFor(image.id), versionQuery(image.dzi_url)), size);

  const editor = new AnnotationEditor(api, image.id, data.annotations, {
    onChange: () => render(),
    onStatus: (kind, text, title) => toolbar.status.set(kind, text, title),
    onSaved: () => options.onSaved?.(),
    onLocked: (err) => options.onLocked?.(err),
  });

  const showDrafts = (): void => viewer.setDrafts(draft ? [...editor.pending, draft] : editor.pending);

  function renderBoxes(): void {
    const shapes: BoxShape[] = [];
    for (const a of editor.annotations) {
      if ((a.frame ?? 0) !== 0 || !isRect(a.geometry)) continue;
      const color = safeColor(labelMap.get(a.label)?.color);
      shapes.push({ id: a.id, rect: a.geometry, color, highlighted: a.id === highlighted });
    }
    viewer.setBoxes(shapes);
    showDrafts();
  }

  function render(): void {
    renderBoxes();
    panel.render(editor.annotations, labelMap);
    toolbar.setHistory(editor.canUndo, editor.canRedo);
  }

  const tool = new BoxTool(
    {
      overlay: viewer.overlay,
      get imageSize() {
        return viewer.isOpen ? size : null;
      },
      clientToImage: (x, y) => viewer.elementToImage(viewer.clientToElement(x, y)),
      setDrawingMode: (on) => viewer.setDrawingMode(on),
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
        else void editor.createBox(rect, labelId);
      },
      onActiveChange: (active) => toolbar.setToolActive(active),
    },
  );

  const onKey = (event: KeyboardEvent): void => {
    const action = hotkeyAction(event, boxLabels);
    if (!action || (!editable && action.type !== 'leave-tool')) return;
    event.preventDefault();
    if (action.type === 'toggle-tool') {
      if (boxLabels.length > 0) tool.toggle();
    } else if (action.type === 'leave-tool') tool.deactivate();
    else if (action.type === 'undo') void editor.undo();
    else if (action.type === 'redo') void editor.redo();
    else toolbar.selectLabel(action.id);
  };
  document.addEventListener('keydown', onKey);

  signal.addEventListener('abort', () => {
    document.removeEventListener('keydown', onKey);
    tool.deactivate();
    viewer.destroy();
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
    get saving() {
      return editor.busy;
    },
  };
}
