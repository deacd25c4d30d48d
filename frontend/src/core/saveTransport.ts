// The save queue's view of the REST API: the bulk endpoint plus the reads it needs to settle doubts.
import { API_ROOT, ApiError, type ApiClient } from '../api/client';
import type { Annotation } from '../api/types';
import type { Geometry } from './shapes/adapter';

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
