// Which annotations (by client key) are selected; listeners hear every change.
export class Selection {
  private keys = new Set<string>();
  private readonly listeners = new Set<() => void>();

  get size(): number {
    return this.keys.size;
  }

  has(key: string): boolean {
    return this.keys.has(key);
  }

  list(): string[] {
    return [...this.keys];
  }

  set(keys: Iterable<string>): void {
    this.keys = new Set(keys);
    this.notify();
  }

  /** Shift+click: add when absent, remove when present. */
  toggle(key: string): void {
    if (!this.keys.delete(key)) this.keys.add(key);
    this.notify();
  }

  clear(): void {
    if (this.keys.size === 0) return;
    this.keys.clear();
    this.notify();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(): void {
    for (const l of this.listeners) l();
  }
}
