// The save queue's view of the REST API: the bulk endpoint plus the reads it needs to settle doubts.
import { API_ROOT, ApiError, type ApiClient } from '../api/client';
import type { Annotation } from '../api/types';
import { serializeShape, type Geometry } from './shapes/adapter';
import type { AnnotationState } from './store';

export interface BulkCreate {
  label: number;
  frame: number;
  geometry: Geometry;
  attributes: Record<string, unknown>;
}
export interface BulkUpdate extends BulkCreate {
  id: number;
  version: number;
}
export interface BulkRequest {
  create: BulkCreate[];
  update: BulkUpdate[];
  delete: { id: number; version: number }[];
}
/** `created` is in the order of the request's `create` list (one transaction, bulk_create keeps order). */
export interface BulkAnswer {
  created: Annotation[];
  updated: Annotation[];
  deleted: number[];
}

export interface SaveTransport {
  /** POST /images/{id}/annotations/bulk/; throws ApiError (status 0 when the network failed). */
  bulk(imageId: number, body: BulkRequest, signal?: AbortSignal): Promise<BulkAnswer>;
  /** GET /annotations/{id}/, null when it is gone (404). */
  annotation(id: number): Promise<Annotation | null>;
  /** Every annotation of the image. */
  annotations(imageId: number): Promise<Annotation[]>;
}

/** The real transport over the app's one HTTP client. */
export function apiTransport(client: ApiClient): SaveTransport {
  return {
    bulk: (imageId, body, signal) =>
      client.request<BulkAnswer>('POST', `${API_ROOT}/images/${imageId}/annotations/bulk/`, {
        body,
        ...(signal ? { signal } : {}),
      }),
    async annotation(id) {
      try {
        return await client.get<Annotation>(`${API_ROOT}/annotations/${id}/`);
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) return null;
        throw err;
      }
    },
    annotations: (imageId) => client.annotations(imageId),
  };
}

/** The wire fields of a store state (geometry serialized by the shape adapter). */
export function wire(state: AnnotationState): BulkCreate {
  return {
    label: state.label,
    frame: state.frame,
    geometry: serializeShape(state.shape),
    attributes: { ...state.attributes },
  };
}

/** Whether a server annotation carries this label, frame and geometry (how a lost answer is recognised). */
export function sameContent(a: Annotation, want: BulkCreate): boolean {
  return a.label === want.label && a.frame === want.frame && sameJson(a.geometry, want.geometry);
}

/** Equal JSON values whatever the key order (Postgres jsonb reorders keys); numbers to 1e-9. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) <= 1e-9;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => sameJson(v, b[i]));
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    const ob = b as Record<string, unknown>;
    return ka.length === kb.length && ka.every((k) => k in ob && sameJson((a as Record<string, unknown>)[k], ob[k]));
  }
  return a === b;
}
