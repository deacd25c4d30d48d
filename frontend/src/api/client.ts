// The app's only HTTP client: same-origin JSON requests, CSRF header, pagination, ApiError parsing.
import type {
  Annotation,
  AnnotationCreate,
  ErrorBody,
  ImageInfo,
  Label,
  Member,
  Page,
  Progress,
  Project,
  Review,
  ReviewCreate,
  User,
  WorkflowState,
} from './types';

export const API_ROOT = '/api/v1';

/** A failed request: HTTP status (0 for network failures) plus the server's error body. */
export class ApiError extends Error {
  readonly status: number;
  readonly detail: string;
  readonly code: string;
  readonly errors: Record<string, string[]>;

  constructor(status: number, body: ErrorBody) {
    super(body.detail);
    this.name = 'ApiError';
    this.status = status;
    this.detail = body.detail;
    this.code = body.code;
    this.errors = body.errors ?? {};
  }
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  410: 'Gone',
  412: 'Precondition Failed',
  413: 'Payload Too Large',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

function fallbackDetail(status: number, statusText: string): string {
  const reason = statusText || REASONS[status] || 'Error';
  return `Request failed (${status} ${reason})`;
}

/** Keep only well-formed field errors, accepting a bare string as a one-item list. */
function parseFieldErrors(value: unknown): Record<string, string[]> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const out: Record<string, string[]> = {};
  for (const [field, messages] of Object.entries(value)) {
    if (typeof messages === 'string') out[field] = [messages];
    else if (Array.isArray(messages)) out[field] = messages.map((m) => String(m));
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * Build an ApiError from an error response's status and raw body text. JSON bodies in the
 * API's {detail, code, errors} shape are used as-is; anything else (HTML error pages,
 * proxies' plain text, empty bodies) gets a readable generic detail.
 */
export function errorFromBody(status: number, statusText: string, text: string, contentType = ''): ApiError {
  const fallbackCode = `http_${status}`;
  let parsed: unknown;
  try {
    parsed = text.trim() ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
    const body = parsed as Record<string, unknown>;
    const errors = parseFieldErrors(body.errors);
    let detail = typeof body.detail === 'string' && body.detail.trim() ? body.detail : '';
    if (!detail && errors) {
      detail = Object.entries(errors)
        .map(([field, msgs]) => `${field}: ${msgs.join(' ')}`)
        .join('; ');
    }
    return new ApiError(status, {
      detail: detail || fallbackDetail(status, statusText),
      code: typeof body.code === 'string' && body.code ? body.code : fallbackCode,
      ...(errors ? { errors } : {}),
    });
  }
  const plain = text.trim();
  const usePlain = contentType.startsWith('text/plain') && plain.length > 0 && plain.length <= 200;
  return new ApiError(status, {
    detail: usePlain ? plain : fallbackDetail(status, statusText),
    code: fallbackCode,
  });
}

export async function errorFromResponse(res: Response): Promise<ApiError> {
  let text = '';
  try {
    text = await res.text();
  } catch {
    text = '';
  }
  return errorFromBody(res.status, res.statusText, text, res.headers.get('content-type') ?? '');
}

/** Value of one cookie from a `document.cookie`-style string, or null. */
export function readCookie(name: string, cookies: string): string | null {
  for (const part of cookies.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      const raw = part.slice(eq + 1).trim();
      try {
        return decodeURIComponent(raw);
      } catch {
        return raw;
      }
    }
  }
  return null;
}

export function isAbortError(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError';
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/** Paginated `next` links may be absolute; keep requests on our own origin. */
export function toSameOriginPath(url: string): string {
  const parsed = new URL(url, 'http://same-origin.invalid');
  return parsed.pathname + parsed.search;
}

function withQuery(path: string, query: string): string {
  return path + (path.includes('?') ? '&' : '?') + query;
}

export interface RequestOptions {
  body?: unknown;
  /** Sent as-is (bytes); the caller sets Content-Type in headers. */
  rawBody?: Blob;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface ClientOptions {
  fetch?: typeof fetch;
  /** Source of `document.cookie`; injectable for tests. */
  cookies?: () => string;
}

export class ApiClient {
  private readonly fetchImpl: typeof fetch;
  private readonly cookies: () => string;

  constructor(options: ClientOptions = {}) {
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.cookies = options.cookies ?? (() => (typeof document === 'undefined' ? '' : document.cookie));
  }

  csrfToken(): string | null {
    return readCookie('csrftoken', this.cookies());
  }

  private async send(method: string, path: string, accept: string, options: RequestOptions): Promise<Response> {
    const headers: Record<string, string> = { Accept: accept, ...options.headers };
    const init: RequestInit = { method, credentials: 'same-origin', headers };
    if (options.signal) init.signal = options.signal;
    if (options.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(options.body);
    } else if (options.rawBody !== undefined) {
      init.body = options.rawBody;
    }
    if (!SAFE_METHODS.has(method)) {
      const token = this.csrfToken();
      if (token) headers['X-CSRFToken'] = token;
    }
    let res: Response;
    try {
      res = await this.fetchImpl(path, init);
    } catch (err) {
      if (isAbortError(err)) throw err;
      throw new ApiError(0, { detail: 'Network error: the server could not be reached.', code: 'network_error' });
    }
    if (!res.ok) throw await errorFromResponse(res);
    if (res.redirected && new URL(res.url, 'http://same-origin.invalid').pathname.startsWith('/accounts/login')) {
      throw new ApiError(401, {
        detail: 'Your session has expired. Please sign in again.',
        code: 'not_authenticated',
      });
    }
    return res;
  }

  /** JSON request; resolves to undefined for empty answers such as 204. */
  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const res = await this.send(method, path, 'application/json', options);
    const text = await res.text();
    if (res.status === 204 || text.trim() === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ApiError(res.status, { detail: 'The server sent an unreadable answer.', code: 'bad_response' });
    }
  }

  /** Plain-text GET (e.g. the DZI XML descriptor). */
  async text(path: string, signal?: AbortSignal): Promise<string> {
    const res = await this.send('GET', path, 'application/xml, text/xml, */*', signal ? { signal } : {});
    return res.text();
  }

  get<T>(path: string, signal?: AbortSignal): Promise<T> {
    return this.request<T>('GET', path, signal ? { signal } : {});
  }

  /** Every item of a cursor-paginated list, following `next` links. */
  async listAll<T>(path: string, signal?: AbortSignal): Promise<T[]> {
    const items: T[] = [];
    const seen = new Set<string>();
    let url: string | null = withQuery(path, 'page_size=1000');
    while (url && !seen.has(url)) {
      seen.add(url);
      const page: Page<T> = await this.get<Page<T>>(url, signal);
      items.push(...page.results);
      url = page.next ? toSameOriginPath(page.next) : null;
    }
    return items;
  }

  me(signal?: AbortSignal): Promise<User> {
    return this.get(`${API_ROOT}/auth/me/`, signal);
  }

  projects(signal?: AbortSignal): Promise<Project[]> {
    return this.listAll(`${API_ROOT}/projects/`, signal);
  }

  project(id: number, signal?: AbortSignal): Promise<Project> {
    return this.get(`${API_ROOT}/projects/${id}/`, signal);
  }

  labels(projectId: number, signal?: AbortSignal): Promise<Label[]> {
    return this.listAll(`${API_ROOT}/projects/${projectId}/labels/`, signal);
  }

  /** A project's images, optionally only those in one workflow state. */
  images(projectId: number, signal?: AbortSignal, state?: WorkflowState): Promise<ImageInfo[]> {
    const path = `${API_ROOT}/projects/${projectId}/images/`;
    return this.listAll(state ? withQuery(path, `workflow_state=${encodeURIComponent(state)}`) : path, signal);
  }

  members(projectId: number, signal?: AbortSignal): Promise<Member[]> {
    return this.listAll(`${API_ROOT}/projects/${projectId}/members/`, signal);
  }

  progress(projectId: number, signal?: AbortSignal): Promise<Progress> {
    return this.get(`${API_ROOT}/projects/${projectId}/progress/`, signal);
  }

  /** The caller's next image in the project's work queue, or null (204) when nothing is left. */
  async nextImage(projectId: number, signal?: AbortSignal): Promise<ImageInfo | null> {
    const image = await this.get<ImageInfo | undefined>(`${API_ROOT}/projects/${projectId}/next/`, signal);
    return image ?? null;
  }

  image(id: number, signal?: AbortSignal): Promise<ImageInfo> {
    return this.get(`${API_ROOT}/images/${id}/`, signal);
  }

  submitImage(imageId: number): Promise<ImageInfo> {
    return this.request('POST', `${API_ROOT}/images/${imageId}/submit/`);
  }

  reviewImage(imageId: number, data: ReviewCreate): Promise<Review> {
    return this.request('POST', `${API_ROOT}/images/${imageId}/review/`, { body: data });
  }

  /** Review decisions on an image, oldest first. */
  reviews(imageId: number, signal?: AbortSignal): Promise<Review[]> {
    return this.listAll(`${API_ROOT}/images/${imageId}/reviews/`, signal);
  }

  annotations(imageId: number, signal?: AbortSignal): Promise<Annotation[]> {
    return this.listAll(`${API_ROOT}/images/${imageId}/annotations/`, signal);
  }

  createAnnotation(imageId: number, data: AnnotationCreate): Promise<Annotation> {
    return this.request('POST', `${API_ROOT}/images/${imageId}/annotations/`, { body: data });
  }

  /** POST a multipart form with upload progress (fetch cannot report it, XMLHttpRequest can). */
  postForm<T>(path: string, form: FormData, onProgress: (sent: number, total: number) => void, signal?: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', path);
      xhr.setRequestHeader('Accept', 'application/json');
      const token = this.csrfToken();
      if (token) xhr.setRequestHeader('X-CSRFToken', token);
      xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : e.loaded);
      xhr.onload = () => {
        if (xhr.status >= 200 && xhr.status < 300) {
          try {
            resolve(JSON.parse(xhr.responseText) as T);
          } catch {
            reject(new ApiError(xhr.status, { detail: 'The server sent an unreadable answer.', code: 'bad_response' }));
          }
        } else {
          reject(errorFromBody(xhr.status, xhr.statusText, xhr.responseText, xhr.getResponseHeader('content-type') ?? ''));
        }
      };
      xhr.onerror = () => reject(new ApiError(0, { detail: 'Network error: the server could not be reached.', code: 'network_error' }));
      xhr.onabort = () => reject(new DOMException('Aborted', 'AbortError'));
      signal?.addEventListener('abort', () => xhr.abort());
      xhr.send(form);
    });
  }

  /** PATCH raw bytes (a resumable upload's chunk); resolves to the response so headers can be read. */
  patchBytes(path: string, body: Blob, headers: Record<string, string>, signal?: AbortSignal): Promise<Response> {
    return this.send('PATCH', path, 'application/json', { rawBody: body, headers, ...(signal ? { signal } : {}) });
  }

  /** Delete guarded by the annotation's ETag so a concurrently edited box is not lost. */
  deleteAnnotation(annotation: Pick<Annotation, 'id' | 'version'>): Promise<void> {
    return this.request('DELETE', `${API_ROOT}/annotations/${annotation.id}/`, {
      headers: { 'If-Match': `"${annotation.version}"` },
    });
  }
}

/** Shared instance used by the pages. */
export const api = new ApiClient();
