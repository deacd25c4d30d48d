// The save queue's state as the UI's "Save status" readout shows it (UI.md).

export type SaveStatus =
  | { kind: 'saved' }
  | { kind: 'saving' }
  | { kind: 'offline'; retryInMs: number }
  | { kind: 'failed'; reason: string }
  | { kind: 'conflict' };

/** The "Save status" readout's words (UI.md). */
export function statusText(status: SaveStatus): string {
  switch (status.kind) {
    case 'saved':
      return 'Saved';
    case 'saving':
      return 'Saving…';
    case 'offline':
      return 'Offline — will retry';
    case 'failed':
      return `Not saved: ${status.reason}`;
    case 'conflict':
      return 'Conflict';
  }
}
