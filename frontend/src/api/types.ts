// TypeScript shapes of the Annotator REST API (/api/v1/) wire format.

/** Cursor-paginated list envelope. */
export interface Page<T> {
  next: string | null;
  previous: string | null;
  results: T[];
}

/** Error body returned by the API for every 4xx/5xx answer. */
export interface ErrorBody {
  detail: string;
  code: string;
  errors?: Record<string, string[]>;
}

export interface User {
  id: number;
  username: string;
}

/** A member's role in one project, most to least powerful. */
export type Role = 'owner' | 'manager' | 'reviewer' | 'annotator' | 'viewer';

export interface Member {
  id: number;
  user: User;
  role: Role;
}

/** Review workflow state of an image. */
export type WorkflowState = 'new' | 'in_progress' | 'submitted' | 'accepted' | 'rejected';

export interface Project {
  id: number;
  name: string;
  description: string;
  created_at: string;
  image_count: number;
  annotation_count: number;
}

export type LabelKind = 'tag' | 'bbox' | 'polygon' | 'polyline' | 'point' | 'mask';

export interface Label {
  id: number;
  name: string;
  /** "#rrggbb" */
  color: string;
  kind: LabelKind;
  hotkey: string | null;
  attributes: unknown[];
}

export type ImageKind = 'raster' | 'slide' | 'dicom';
export type ImageStatus = 'pending' | 'processing' | 'held' | 'ready' | 'failed';

/** An uploaded image ("Image" would clash with the DOM's Image constructor). */
export interface ImageInfo {
  id: number;
  project: number;
  name: string;
  kind: ImageKind;
  status: ImageStatus;
  error: string | null;
  width: number | null;
  height: number | null;
  frames: number;
  created_at: string;
  thumbnail_url: string | null;
  dzi_url: string | null;
  metadata: Record<string, unknown>;
  site: unknown;
  workflow_state: WorkflowState;
  /** User id of the annotator the image is assigned to. */
  assignee: number | null;
  /** User id of the reviewer the image is assigned to. */
  reviewer: number | null;
}

/** Bounding box in level-0 image pixels; origin at the top-left corner of the top-left pixel. */
export interface BoxGeometry {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Annotation {
  id: number;
  image: number;
  label: number;
  frame: number;
  /** BoxGeometry for bbox labels; other label kinds use other shapes. */
  geometry: BoxGeometry | Record<string, unknown>;
  attributes: Record<string, unknown>;
  author: unknown;
  created_at: string;
  updated_at: string;
  /** Concurrency token; the ETag is the version in double quotes. */
  version: number;
  source: string;
}

/** Polyline (and polygon) geometry: vertices in level-0 image pixels. */
export type PointsGeometry = {
  points: [number, number][];
};

export interface AnnotationCreate {
  label: number;
  frame: number;
  geometry: BoxGeometry | PointsGeometry;
  attributes: Record<string, unknown>;
}

export type ReviewOutcome = 'accept' | 'reject';

/** One review decision on an image (GET /images/{id}/reviews/, POST /images/{id}/review/). */
export interface Review {
  id: number;
  image: number;
  reviewer: User | null;
  decision: ReviewOutcome;
  comment: string;
  /** ISO 8601 time of the decision. */
  at: string;
}

export interface ReviewCreate {
  decision: ReviewOutcome;
  comment: string;
}

/** Image counts by workflow state (GET /projects/{id}/progress/). */
export type StateCounts = Record<WorkflowState, number> & { total: number };

export interface MemberProgress extends Record<WorkflowState, number> {
  user: User;
  role: Role;
  assigned: number;
  annotations: number;
}

export interface Progress {
  images: StateCounts;
  /** accepted / total, 0 when the project has no images. */
  done_fraction: number;
  annotations: number;
  members: MemberProgress[];
}

/** A file the server refused, and why (uploads). */
export interface RejectedFile {
  filename: string;
  detail: string;
  code: string;
}

/** Answer of a multipart upload and of completing a resumable one. */
export interface UploadResult {
  images: ImageInfo[];
  rejected: RejectedFile[];
}

/** A resumable upload (POST /projects/{id}/uploads/, GET /uploads/{id}/). */
export interface ResumableInfo {
  id: number;
  filename: string;
  size: number;
  offset: number;
  status: string;
  upload_url: string;
  /** The largest chunk the server takes. */
  chunk_size?: number;
}

export type ExportStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

/** An export job (POST /projects/{id}/exports/, GET /exports/{id}/). */
export interface ExportJob {
  id: number;
  project: number;
  format: string;
  options: Record<string, unknown>;
  status: ExportStatus;
  progress: number;
  error: string | null;
  created_at: string;
  finished_at: string | null;
  download_url: string | null;
  sha256: string | null;
  size: number | null;
}

/** A frozen dataset version (GET /projects/{id}/versions/). */
export interface DatasetVersion {
  id: number;
  project: number;
  name: string;
  notes: string;
  created_at: string;
  counts: Record<string, unknown>;
  sha256: string;
}
