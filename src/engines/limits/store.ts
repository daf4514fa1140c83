// Counters for rate limits: fixed windows (requests or tokens per minute or day) and concurrency leases.

/** The outcome of taking from a window counter. */
export interface WindowResult {
  allowed: boolean;
  /** The counter after the take (or as it stood, when refused). */
  used: number;
  limit: number;
  /** Milliseconds until the window resets. */
  resetMs: number;
  /** Which window was counted (settlements go to the same one). */
  window: number;
}

/** The outcome of asking for a concurrency slot. */
export interface LeaseResult {
  allowed: boolean;
  /** Slots held after the call. */
  held: number;
  /** The lease to release (when allowed). */
  lease?: string;
}

/** One counter to take from. */
export interface TakeCheck {
  key: string;
  amount: number;
  limit: number;
  windowMs: number;
}

/** One counter to correct (settle a reservation, or give it back). */
export interface Adjustment {
  key: string;
  window: number;
  windowMs: number;
  delta: number;
}

/** Where limit counters live: this process's memory, or Redis shared by a fleet. */
export interface LimitStore {
  /** True when several instances share the counters (Redis): round trips cost, so budgets take slices. */
  readonly shared?: boolean;
  /**
   * Takes from several counters at once, all or nothing and atomically: each adds its amount in the current
   * window of its windowMs, if every total stays within its limit. One result per check, in order.
   */
  takeAll(checks: TakeCheck[]): Promise<{ allowed: boolean; results: WindowResult[] }>;
  /** Adds each delta (negative: gives back) to the counter of an earlier window, never refusing. */
  adjustAll(items: Adjustment[]): Promise<void>;
  /** Takes one of `limit` concurrency slots as a lease that expires after `ttlMs` unless renewed or released. */
  acquire(key: string, limit: number, ttlMs: number): Promise<LeaseResult>;
  /** Keeps a lease alive for another `ttlMs`. */
  renew(key: string, lease: string, ttlMs: number): Promise<void>;
  /** Gives a slot back. */
  release(key: string, lease: string): Promise<void>;
  /** Whether the counters can be reached now (for readiness checks). */
  ping(): Promise<boolean>;
  /** Frees resources (timers, connections), after sending what is queued; resolves when done. */
  close(): void | Promise<void>;
}

/** The window a moment falls in, and the milliseconds left in it. */
export function windowOf(nowMs: number, windowMs: number): { window: number; resetMs: number } {
  const window = Math.floor(nowMs / windowMs);
  return { window, resetMs: (window + 1) * windowMs - nowMs };
}

/** `take` and `adjust` for one counter, on any store. */
export async function take(store: LimitStore, key: string, amount: number, limit: number, windowMs: number): Promise<WindowResult> {
  return (await store.takeAll([{ key, amount, limit, windowMs }])).results[0]!;
}
