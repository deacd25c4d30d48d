// Tests for the HTTP client: error parsing (JSON and non-JSON bodies), CSRF, pagination, ETags.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiClient, ApiError, errorFromBody, readCookie, toSameOriginPath } from '../src/api/client';

function json(status: number, body: unknown, init: ResponseInit = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
    ...init,
  });
}

function recordingFetch(...responses: Response[]) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fn = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ url: String(input), init: init ?? {} });
    const next = responses.shift();
    if (!next) throw new Error('unexpected request');
    return next;
  });
  return { fn: fn as unknown as typeof fetch, calls };
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('errorFromBody', () => {
  it('uses detail, code and field errors from the API error body', () => {
    const err = errorFromBody(
      400,
      'Bad Request',
      JSON.stringify({ detail: 'Invalid input.', code: 'invalid', errors: { geometry: ['Box outside image.'] } }),
    );
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toBeInstanceOf(Error);
    expect(err.status).toBe(400);
    expect(err.detail).toBe('Invalid input.');
    expect(err.message).toBe('Invalid input.');
    expect(err.code).toBe('invalid');
    expect(err.errors).toEqual({ geometry: ['Box outside image.'] });
  });

  it('falls back to a readable message for an HTML error page', () => {
    const err = errorFromBody(502, 'Bad Gateway', '<html><body><h1>502</h1></body></html>', 'text/html');
    expect(err.detail).toBe('Request failed (502 Bad Gateway)');
    expect(err.code).toBe('http_502');
    expect(err.errors).toEqual({});
  });

  it('uses a known reason when statusText is empty (HTTP/2) and the body is empty', () => {
    const err = errorFromBody(500, '', '');
    expect(err.detail).toBe('Request failed (500 Internal Server Error)');
  });

  it('shows short plain-text bodies verbatim', () => {
    const err = errorFromBody(503, 'Service Unavailable', 'Maintenance until 14:00\n', 'text/plain; charset=utf-8');
    expect(err.detail).toBe('Maintenance until 14:00');
  });

  it('does not trust truncated or malformed JSON', () => {
    const err = errorFromBody(400, 'Bad Request', '{"detail": "oops', 'application/json');
    expect(err.detail).toBe('Request failed (400 Bad Request)');
    expect(err.code).toBe('http_400');
  });

  it('builds a detail from field errors when detail is missing and normalises bare strings', () => {
    const err = errorFromBody(400, '', JSON.stringify({ errors: { label: 'Unknown label.', frame: ['Too big.', 'Bad.'] } }));
    expect(err.errors).toEqual({ label: ['Unknown label.'], frame: ['Too big.', 'Bad.'] });
    expect(err.detail).toBe('label: Unknown label.; frame: Too big. Bad.');
    expect(err.code).toBe('http_400');
  });

  it('ignores JSON that is not an object', () => {
    expect(errorFromBody(404, 'Not Found', '["x"]').detail).toBe('Request failed (404 Not Found)');
    expect(errorFromBody(404, 'Not Found', '"nope"').detail).toBe('Request failed (404 Not Found)');
  });
});

describe('readCookie', () => {
  it('finds and decodes a cookie among others', () => {
    expect(readCookie('csrftoken', 'sessionid=abc; csrftoken=t%2Bk; theme=dark')).toBe('t+k');
    expect(readCookie('csrftoken', 'xcsrftoken=1')).toBeNull();
    expect(readCookie('csrftoken', '')).toBeNull();
  });
});

describe('toSameOriginPath', () => {
  it('keeps only path and query of absolute next links', () => {
    expect(toSameOriginPath('http://backend:8000/api/v1/projects/?cursor=cD0x&page_size=1000')).toBe(
      '/api/v1/projects/?cursor=cD0x&page_size=1000',
    );
    expect(toSameOriginPath('/api/v1/x/?cursor=a')).toBe('/api/v1/x/?cursor=a');
  });
});

describe('ApiClient', () => {
  it('sends same-origin GETs without a CSRF header', async () => {
    const { fn, calls } = recordingFetch(json(200, { id: 1, username: 'ada' }));
    const client = new ApiClient({ fetch: fn, cookies: () => 'csrftoken=tok' });
    await expect(client.me()).resolves.toEqual({ id: 1, username: 'ada' });
    expect(calls[0]!.url).toBe('/api/v1/auth/me/');
    expect(calls[0]!.init.credentials).toBe('same-origin');
    expect((calls[0]!.init.headers as Record<string, string>)['X-CSRFToken']).toBeUndefined();
  });

  it('posts JSON with the CSRF token from the cookie', async () => {
    const created = { id: 9, version: 1 };
    const { fn, calls } = recordingFetch(json(201, created));
    const client = new ApiClient({ fetch: fn, cookies: () => 'a=b; csrftoken=secret' });
    const body = { label: 2, frame: 0, geometry: { x: 1, y: 2, w: 3, h: 4 }, attributes: {} };
    await expect(client.createAnnotation(7, body)).resolves.toEqual(created);
    const { url, init } = calls[0]!;
    expect(url).toBe('/api/v1/images/7/annotations/');
    expect(init.method).toBe('POST');
    expect(JSON.parse(String(init.body))).toEqual(body);
    const headers = init.headers as Record<string, string>;
    expect(headers['X-CSRFToken']).toBe('secret');
    expect(headers['Content-Type']).toBe('application/json');
  });

  it('deletes with If-Match carrying the quoted version and accepts 204', async () => {
    const { fn, calls } = recordingFetch(new Response(null, { status: 204 }));
    const client = new ApiClient({ fetch: fn, cookies: () => 'csrftoken=x' });
    await expect(client.deleteAnnotation({ id: 5, version: 3 })).resolves.toBeUndefined();
    expect(calls[0]!.url).toBe('/api/v1/annotations/5/');
    expect(calls[0]!.init.method).toBe('DELETE');
    expect((calls[0]!.init.headers as Record<string, string>)['If-Match']).toBe('"3"');
  });

  it('throws ApiError with the parsed body on error answers', async () => {
    const { fn } = recordingFetch(json(412, { detail: 'Annotation was changed by someone else.', code: 'precondition_failed' }));
    const client = new ApiClient({ fetch: fn, cookies: () => '' });
    const err = await client.deleteAnnotation({ id: 5, version: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 412, code: 'precondition_failed', detail: 'Annotation was changed by someone else.' });
  });

  it('turns network failures into ApiError status 0', async () => {
    const client = new ApiClient({ fetch: (async () => { throw new TypeError('Failed to fetch'); }) as typeof fetch });
    await expect(client.projects()).rejects.toMatchObject({ status: 0, code: 'network_error' });
  });

  it('passes AbortError through untouched', async () => {
    const abort = new DOMException('aborted', 'AbortError');
    const client = new ApiClient({ fetch: (async () => { throw abort; }) as typeof fetch });
    await expect(client.projects()).rejects.toBe(abort);
  });

  it('follows cursor pagination and asks for big pages', async () => {
    const { fn, calls } = recordingFetch(
      json(200, { next: 'http://testserver/api/v1/projects/?cursor=abc&page_size=1000', previous: null, results: [{ id: 1 }] }),
      json(200, { next: null, previous: 'x', results: [{ id: 2 }, { id: 3 }] }),
    );
    const client = new ApiClient({ fetch: fn });
    const projects = await client.projects();
    expect(projects.map((p) => p.id)).toEqual([1, 2, 3]);
    expect(calls.map((c) => c.url)).toEqual(['/api/v1/projects/?page_size=1000', '/api/v1/projects/?cursor=abc&page_size=1000']);
  });

  it('stops when a next link repeats', async () => {
    const page = () => json(200, { next: '/api/v1/projects/?page_size=1000', previous: null, results: [{ id: 1 }] });
    const { fn, calls } = recordingFetch(page(), page());
    const client = new ApiClient({ fetch: fn });
    await expect(client.projects()).resolves.toHaveLength(1);
    expect(calls).toHaveLength(1);
  });

  it('reports an expired session when fetch was redirected to the login page', async () => {
    const res = new Response('<html>login</html>', { status: 200, headers: { 'Content-Type': 'text/html' } });
    Object.defineProperty(res, 'redirected', { value: true });
    Object.defineProperty(res, 'url', { value: 'http://host/accounts/login/?next=/api/v1/projects/' });
    const client = new ApiClient({ fetch: (async () => res) as typeof fetch });
    await expect(client.projects()).rejects.toMatchObject({ status: 401, code: 'not_authenticated' });
  });

  it('rejects a 200 answer that is not JSON', async () => {
    const client = new ApiClient({ fetch: (async () => new Response('<html/>', { status: 200 })) as typeof fetch });
    await expect(client.me()).rejects.toMatchObject({ code: 'bad_response' });
  });

  it('uses the global fetch by default (stubbed)', async () => {
    const stub = vi.fn(async () => json(404, { detail: 'Not found.', code: 'not_found' }));
    vi.stubGlobal('fetch', stub);
    const client = new ApiClient({ cookies: () => '' });
    await expect(client.image(99)).rejects.toMatchObject({ status: 404, detail: 'Not found.', code: 'not_found' });
    expect(stub).toHaveBeenCalledOnce();
  });

  it('fetches text (DZI) with the same error handling', async () => {
    const xml = '<Image/>';
    const { fn } = recordingFetch(
      new Response(xml, { status: 200, headers: { 'Content-Type': 'application/xml' } }),
      new Response('Image was removed', { status: 410 }),
      new Response('<html>busy</html>', { status: 409, headers: { 'Content-Type': 'text/html' } }),
    );
    const client = new ApiClient({ fetch: fn });
    await expect(client.text('/api/v1/images/1/dzi')).resolves.toBe(xml);
    await expect(client.text('/api/v1/images/1/dzi')).rejects.toMatchObject({ status: 410, detail: 'Image was removed' });
    await expect(client.text('/api/v1/images/1/dzi')).rejects.toMatchObject({ status: 409, detail: 'Request failed (409 Conflict)' });
  });

  it('returns null for the next image when the queue is empty (204)', async () => {
    const image = { id: 12, project: 3 };
    const { fn, calls } = recordingFetch(new Response(null, { status: 204 }), json(200, image));
    const client = new ApiClient({ fetch: fn });
    await expect(client.nextImage(3)).resolves.toBeNull();
    await expect(client.nextImage(3)).resolves.toEqual(image);
    expect(calls[0]!.url).toBe('/api/v1/projects/3/next/');
  });

  it('filters images by workflow state', async () => {
    const { fn, calls } = recordingFetch(
      json(200, { next: null, previous: null, results: [] }),
      json(200, { next: null, previous: null, results: [] }),
    );
    const client = new ApiClient({ fetch: fn });
    await client.images(3, undefined, 'submitted');
    await client.images(3);
    expect(calls.map((c) => c.url)).toEqual([
      '/api/v1/projects/3/images/?workflow_state=submitted&page_size=1000',
      '/api/v1/projects/3/images/?page_size=1000',
    ]);
  });

  it('submits without a body and reviews with decision and comment, both with CSRF', async () => {
    const { fn, calls } = recordingFetch(json(200, { id: 7, workflow_state: 'submitted' }), json(201, { id: 1, decision: 'reject' }));
    const client = new ApiClient({ fetch: fn, cookies: () => 'csrftoken=tok' });
    await expect(client.submitImage(7)).resolves.toMatchObject({ workflow_state: 'submitted' });
    await client.reviewImage(7, { decision: 'reject', comment: 'Redo the margin.' });
    expect(calls[0]!.url).toBe('/api/v1/images/7/submit/');
    expect(calls[0]!.init.method).toBe('POST');
    expect(calls[0]!.init.body).toBeUndefined();
    expect(calls[1]!.url).toBe('/api/v1/images/7/review/');
    expect(JSON.parse(String(calls[1]!.init.body))).toEqual({ decision: 'reject', comment: 'Redo the margin.' });
    for (const call of calls) expect((call.init.headers as Record<string, string>)['X-CSRFToken']).toBe('tok');
  });

  it('lists reviews and members, and reads progress', async () => {
    const { fn, calls } = recordingFetch(
      json(200, { next: null, previous: null, results: [{ id: 1 }] }),
      json(200, { next: null, previous: null, results: [{ id: 2 }] }),
      json(200, { images: { total: 0 } }),
    );
    const client = new ApiClient({ fetch: fn });
    await client.reviews(7);
    await client.members(3);
    await client.progress(3);
    expect(calls.map((c) => c.url)).toEqual([
      '/api/v1/images/7/reviews/?page_size=1000',
      '/api/v1/projects/3/members/?page_size=1000',
      '/api/v1/projects/3/progress/',
    ]);
  });
});
