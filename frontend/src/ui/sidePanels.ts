// Mounts the issue-9 side panels (Image tags above Annotations) and the Help overlay for one image's workspace.
import type { Label } from '../api/types';
import { updateCommand, deleteCommand, type CommandStack } from '../core/commands';
import type { Selection } from '../core/selection';
import type { AnnotationStore } from '../core/store';
import type { ToolRegistry } from '../tools/registry';
import { openAttributesForm } from './attributesForm';
import { HelpOverlay, shortcuts } from './helpOverlay';
import { ImageTags } from './imageTags';
import { LabelPanel } from './labelPanel';

export interface SidePanelsOptions {
  /** Where the tags and the annotation list go (the side panel). */
  side: HTMLElement;
  /** Where dialogs open (default document.body). */
  dialogHost?: HTMLElement;
  store: AnnotationStore;
  stack: CommandStack;
  selection: Selection;
  labels: readonly Label[];
  tools: ToolRegistry;
  readOnly: boolean;
  frameCount: number;
  /** ShapeLayer.setLabelStyle. */
  layerStyle: (labelId: number, style: { visible?: boolean; opacity?: number }) => void;
  /** Go to the shape's frame and bring it into view. */
  zoomTo: (key: string) => void;
}

export interface SidePanels {
  readonly panel: LabelPanel;
  readonly tags: ImageTags;
  /** Its `button` goes into the toolbar; the `?` key calls `toggle()`. */
  readonly help: HelpOverlay;
  /** Open the attributes form of an annotation and apply the answer as one undoable command. */
  editAttributes(key: string): Promise<void>;
  destroy(): void;
}

export function mountSidePanels(o: SidePanelsOptions): SidePanels {
  const host = o.dialogHost ?? document.body;
  const editAttributes = async (key: string): Promise<void> => {
    const record = o.store.get(key);
    const label = o.labels.find((l) => l.id === record?.label);
    if (!record || !label || o.readOnly) return;
    const values = await openAttributesForm(host, label, { ...record.attributes });
    if (values && o.store.get(key)) o.stack.execute(updateCommand(o.store, key, { attributes: values }, 'Attributes'));
  };
  const panel = new LabelPanel({
    store: o.store,
    labels: o.labels,
    selection: o.selection,
    readOnly: o.readOnly,
    frameCount: o.frameCount,
    layerStyle: o.layerStyle,
    zoomTo: o.zoomTo,
    editAttributes: (key) => void editAttributes(key),
    remove: (key) => o.stack.execute(deleteCommand(o.store, [key])),
  });
  const tags = new ImageTags({ store: o.store, stack: o.stack, labels: o.labels, readOnly: o.readOnly, formHost: host });
  const help = new HelpOverlay(host, () => shortcuts(o.tools, o.labels));
  o.side.append(tags.el, panel.el);
  return {
    panel,
    tags,
    help,
    editAttributes,
    destroy() {
      help.close();
      tags.destroy();
      panel.destroy();
    },
  };
}
