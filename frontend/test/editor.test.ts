// Tests for the annotation editor: autosave, delete, undo/redo against a fake API, status texts.
import { describe, expect, it } from 'vitest';
import { ApiError } from '../src/api/client';
import type { Annotation, AnnotationCreate } from '../src/api/types';
import { AnnotationEditor, type EditorApi } from '../src/ui/editor';

class FakeApi implements EditorApi {
  store = new Map<number, Annotation>();
  nextId = 100;
  failNext: ApiError | null = null;
  calls: string[] = [];

  async createAnnotation(imageId: number, data: AnnotationCreate): Promise<Annotation> {
    this.calls.push(`POST ${imageId}`);
    this.maybeFail();
    const a: Annotation = {
      id: this.nextId++,
      image: imageId,
      label: data.label,
      frame: data.frame,
      geometry: data.geometry,
      attributes: data.attributes,
      author: 1,
      created_at: '2024-01-01T00:00:00Z',
      updated_at: '2024-01-01T00:00:00Z',
      version: 1,
      source: 'manual',
    };
    this.store.set(a.id, a);
    return a;
  }

  async deleteAnnotation(a: Pick<Annotation, 'id' | 'version'>): Promise<void> {
    this.calls.push(`DELETE ${a.id} v${a.version}`);
    this.maybeFail();
    if (!this.store.delete(a.id)) throw new ApiError(404, { detail: 'Not found.', code: 'not_found' });
  }

  private maybeFail(): void {
    const err = this.failNext;
    this.failNext = null;
    if (err) throw err;
  }
}

function setup(initial: Annotation[] = []) {
  const api = new FakeApi();
  for (const a of initial) api.store.set(a.id, a);
  const statuses: string[] = [];
  const locked: ApiError[] = [];
  let changes = 0;
  let saved = 0;
  const editor = new AnnotationEditor(api, 7, initial, {
    onChange: () => changes++,
    onStatus: (kind, text) => statuses.push(`${kind}:${text}`),
    onSaved: () => saved++,
    onLocked: (err) => locked.push(err),
  });
  return { api, editor, statuses, locked, changes: () => changes, saved: () => saved };
}

const box = { x: 10, y: 20, w: 30, h: 40 };

describe('AnnotationEditor', () => {
  it('autosaves a box and reports Saving… then Saved', async () => {
    const { api, editor, statuses } = setup();
    const pending = editor.createBox(box, 3);
    expect(editor.pending).toEqual([box]);
    expect(statuses).toEqual(['busy:Saving…']);
    const saved = await pending;
    expect(saved).toMatchObject({ id: 100, label: 3, frame: 0, geometry: box });
    expect(editor.pending).toEqual([]);
    expect(editor.annotations.map((a) => a.id)).toEqual([100]);
    expect(statuses.at(-1)).toBe('ok:Saved');
    expect(api.calls).toEqual(['POST 7']);
    expect(editor.canUndo).toBe(true);
  });

  it('shows the error detail and keeps nothing when saving fails', async () => {
    const { api, editor, statuses } = setup();
    api.failNext = new ApiError(400, { detail: 'Box lies outside the image.', code: 'invalid' });
    await expect(editor.createBox(box, 3)).resolves.toBeNull();
    expect(statuses.at(-1)).toBe('error:Box lies outside the image.');
    expect(editor.annotations).toEqual([]);
    expect(editor.pending).toEqual([]);
    expect(editor.canUndo).toBe(false);
  });

  it('undoes a creation by deleting it and redoes by re-creating it', async () => {
    const { api, editor, statuses } = setup();
    await editor.createBox(box, 3);
    await expect(editor.undo()).resolves.toBe(true);
    expect(api.calls.at(-1)).toBe('DELETE 100 v1');
    expect(editor.annotations).toEqual([]);
    expect(statuses.at(-1)).toBe('ok:Undone');
    expect(editor.canRedo).toBe(true);

    await expect(editor.redo()).resolves.toBe(true);
    expect(editor.annotations.map((a) => a.id)).toEqual([101]);
    // Undoing again must delete the re-created box, not the old id.
    await editor.undo();
    expect(api.calls.at(-1)).toBe('DELETE 101 v1');
    expect(api.store.size).toBe(0);
  });

  it('deletes with undo restoring the box, and follows the new id afterwards', async () => {
    const existing = (await new FakeApi().createAnnotation(7, { label: 1, frame: 0, geometry: box, attributes: { note: 'x' } }));
    const { api, editor } = setup([existing]);
    await expect(editor.remove(existing.id)).resolves.toBe(true);
    expect(editor.annotations).toEqual([]);
    await editor.undo();
    const restored = editor.annotations[0]!;
    expect(restored).toMatchObject({ label: 1, geometry: box, attributes: { note: 'x' } });
    await editor.redo();
    expect(api.calls.at(-1)).toBe(`DELETE ${restored.id} v1`);
    expect(editor.annotations).toEqual([]);
  });

  it('keeps history unchanged when an undo fails on the server', async () => {
    const { api, editor, statuses } = setup();
    await editor.createBox(box, 3);
    api.failNext = new ApiError(412, { detail: 'Changed by someone else.', code: 'precondition_failed' });
    await expect(editor.undo()).resolves.toBe(false);
    expect(statuses.at(-1)).toBe('error:Changed by someone else.');
    expect(editor.annotations).toHaveLength(1);
    expect(editor.canUndo).toBe(true);
    expect(editor.canRedo).toBe(false);
  });

  it('treats deleting an already deleted annotation as done', async () => {
    const { api, editor } = setup();
    const a = (await editor.createBox(box, 3))!;
    api.store.delete(a.id);
    await expect(editor.remove(a.id)).resolves.toBe(true);
    expect(editor.annotations).toEqual([]);
  });

  it('blocks undo/redo while a save is in flight', async () => {
    const { editor } = setup();
    await editor.createBox(box, 3);
    const second = editor.createBox({ x: 1, y: 1, w: 5, h: 5 }, 3);
    expect(editor.busy).toBe(true);
    expect(editor.canUndo).toBe(false);
    await expect(editor.undo()).resolves.toBe(false);
    await second;
    expect(editor.canUndo).toBe(true);
  });

  it('says Saving… until the last of several concurrent saves finished', async () => {
    const { api, editor, statuses } = setup();
    const gates: (() => void)[] = [];
    const realCreate = api.createAnnotation.bind(api);
    api.createAnnotation = async (imageId, data) => {
      await new Promise<void>((resolve) => gates.push(resolve));
      return realCreate(imageId, data);
    };
    const a = editor.createBox(box, 3);
    const b = editor.createBox({ x: 1, y: 1, w: 5, h: 5 }, 3);
    expect(editor.pending).toHaveLength(2);
    gates[0]!();
    await a;
    expect(statuses.at(-1)).toBe('busy:Saving…');
    expect(editor.pending).toHaveLength(1);
    gates[1]!();
    await b;
    expect(statuses.at(-1)).toBe('ok:Saved');
    expect(editor.annotations).toHaveLength(2);
  });

  it('reports a locked image with the server detail and keeps no draft', async () => {
    const { api, editor, statuses, locked, saved } = setup();
    const detail = 'The image is submitted; its annotations are locked until it is reviewed or reopened.';
    api.failNext = new ApiError(409, { detail, code: 'image_locked' });
    const pending = editor.createBox(box, 3);
    expect(editor.pending).toEqual([box]);
    await expect(pending).resolves.toBeNull();
    expect(statuses.at(-1)).toBe(`error:${detail}`);
    expect(locked.map((e) => e.code)).toEqual(['image_locked']);
    expect(editor.pending).toEqual([]);
    expect(editor.annotations).toEqual([]);
    expect(editor.canUndo).toBe(false);
    expect(saved()).toBe(0);
  });

  it('tells the listener about successful writes only', async () => {
    const { api, editor, locked, saved } = setup();
    await editor.createBox(box, 3);
    expect(saved()).toBe(1);
    api.failNext = new ApiError(400, { detail: 'Bad.', code: 'invalid' });
    await editor.createBox(box, 3);
    expect(saved()).toBe(1);
    expect(locked).toEqual([]);
  });
});
