// Contract between the router and a page: mount into a root element; navigation aborts `signal`.
import type { ApiClient } from '../api/client';

export interface PageContext {
  api: ApiClient;
  /** Aborted when the user navigates away: pass it to requests and hang clean-up on it. */
  signal: AbortSignal;
  setTitle(title: string): void;
}
