// An in-memory stand-in for the bulk endpoint's rules (atomic, versions, 412) plus failure switches for tests.
import { ApiError } from '../../src/api/client';
import type { Annotation } from '../../src/api/types';
import type { BulkAnswer, BulkRequest, SaveTransport } from '../../src/core/saveTransport';
import type { Timers } from '../../src/core/saveQueue';

export class FakeServer implements SaveTransport {
  rows = new Map<number, Annotation>();
  nextId = 100;
  requests: BulkRequest[] = [];
  /** 'offline': fail before applying; 'lost': apply, then lose the answer; a number: answer that status. */
  mode: 'ok' | 'offline' | 'lost' | number = 'ok';
  /** Validation like the server's: field errors keyed `create[i].geometry` etc. (a 400), or null to accept. */
  validate: ((body: BulkRequest) => Record<string, string[]> | null) | null = null;

  add(fields: Partial<Annotation> & Pick<Annotation, 'label' | 'geometry'>): Annotation {
    const a: Annotation = {
      id: this.nextId++,
      image: 1,
      frame: 0,
      attributes: {},
      author: null,
      created_at: '',
      updated_at: '',
      version: 1,
      source: 'human',
      ...fields,
    };
    this.rows.set(a.id, a);
    return a;
  }

  async bulk(_imageId: number, body: BulkRequest): Promise<BulkAnswer> {
    this.requests.push(structuredClone(body));
    if (this.mode === 'offline') throw new ApiError(0, { detail: 'Network error', code: 'network_error' });
    if (typeof this.mode === 'number') throw new ApiError(this.mode, { detail: `HTTP ${this.mode}`, code: 'x' });
    const errors = this.validate?.(body);
    if (errors) throw new ApiError(400, { detail: `${Object.keys(errors)[0]}: invalid`, code: 'invalid', errors });
    const stale = [...body.update, ...body.delete].filter((u) => this.rows.get(u.id)?.version !== u.version);
    if (stale.length) throw new ApiError(412, { detail: 'changed since you loaded them', code: 'stale_version' });
    // JSON round trip: the server hands back its own copies (jsonb), never our objects.
    const answer: BulkAnswer = {
      created: body.create.map((c) => this.add(JSON.parse(JSON.stringify(c)))),
      updated: body.update.map((u) => {
        const row = { ...this.rows.get(u.id)!, ...JSON.parse(JSON.stringify(u)), version: u.version + 1 };
        this.rows.set(u.id, row);
        return row;
      }),
      deleted: body.delete.map((d) => (this.rows.delete(d.id), d.id)),
    };
    if (this.mode === 'lost') throw new ApiError(0, { detail: 'Network error', code: 'network_error' });
    return structuredClone(answer);
  }

  async annotation(id: number): Promise<Annotation | null> {
    return this.rows.has(id) ? structuredClone(this.rows.get(id)!) : null;
  }

  async annotations(): Promise<Annotation[]> {
    if (this.mode === 'offline' || this.mode === 'lost') throw new ApiError(0, { detail: 'Network error', code: 'network_error' });
    return structuredClone([...this.rows.values()]);
  }

  /** Someone else edits a row (its version goes up). */
  touch(id: number, fields: Partial<Annotation>): void {
    const row = this.rows.get(id)!;
    this.rows.set(id, { ...row, ...fields, version: row.version + 1 });
  }
}

/** Timers the test fires by hand, remembering the delays asked for. */
export class ManualTimers implements Timers {
  private pending = new Map<number, () => void>();
  private next = 1;
  delays: number[] = [];

  set(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.pending.set(id, fn);
    this.delays.push(ms);
    return id;
  }

  clear(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  get count(): number {
    return this.pending.size;
  }

  /** Fire what is due now, once. */
  fire(): void {
    const fns = [...this.pending.values()];
    this.pending.clear();
    fns.forEach((fn) => fn());
  }
}
