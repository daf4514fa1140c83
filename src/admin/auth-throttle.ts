// Failed admin authentications, counted per client address: past a few in a window the address is refused
// (429) until the window ends, so an admin key cannot be guessed at line rate. Each failure is counted and
// logged (at most one line per address per window).
import { log, type Logger } from "../core";

/** Settings of the throttle. */
export interface AuthThrottleOptions {
  /** Where failed authentications are logged. */
  logger?: Logger;
  /** Failures an address may make in one window before it is refused (default 10). */
  maxFailures?: number;
  /** Window length in ms (default 60 000). */
  windowMs?: number;
  now?: () => number;
}

/** Tracks failed authentications by client address. */
export class AuthThrottle {
  private readonly logger: Logger;
  private readonly failures = new Map<string, { count: number; resetAt: number; logged: boolean }>();
  private readonly max: number;
  private readonly windowMs: number;
  private readonly now: () => number;
  /** Called on every failure (metrics). */
  onFailure?: () => void;

  constructor(opts: AuthThrottleOptions = {}) {
    this.logger = opts.logger ?? log;
    this.max = opts.maxFailures ?? 10;
    this.windowMs = opts.windowMs ?? 60_000;
    this.now = opts.now ?? Date.now;
  }

  /** Milliseconds this address must wait before trying again (0: it may try now). */
  blockedFor(address: string): number {
    const entry = this.failures.get(address);
    if (!entry) return 0;
    const now = this.now();
    if (entry.resetAt <= now) {
      this.failures.delete(address);
      return 0;
    }
    return entry.count >= this.max ? entry.resetAt - now : 0;
  }

  /** Records one failed authentication from this address. */
  failed(address: string): void {
    const now = this.now();
    if (this.failures.size > 100_000) this.sweep(now); // bounded however many addresses try
    let entry = this.failures.get(address);
    if (!entry || entry.resetAt <= now) this.failures.set(address, (entry = { count: 0, resetAt: now + this.windowMs, logged: false }));
    entry.count++;
    this.onFailure?.();
    if (!entry.logged) {
      entry.logged = true;
      this.logger.warn("admin API: failed authentication", { address, window_ms: this.windowMs, max_failures: this.max });
    } else if (entry.count === this.max) {
      this.logger.warn("admin API: address refused after repeated failed authentications", {
        address,
        failures: entry.count,
        retry_after_ms: entry.resetAt - now,
      });
    }
  }

  private sweep(now: number): void {
    for (const [address, entry] of this.failures) if (entry.resetAt <= now) this.failures.delete(address);
    if (this.failures.size > 100_000) this.failures.clear();
  }
}

/**
 * The one authentication of every admin route: a refusal (429 while the address is locked out, 401 for a missing
 * or wrong key, counted and logged as a failure), or undefined when the request may go on.
 */
export function adminRefusal(
  throttle: AuthThrottle,
  authorized: ((req: Request) => boolean) | undefined,
  req: Request,
  server?: { requestIP(req: Request): { address: string } | null },
): Response | undefined {
  const address = server?.requestIP(req)?.address ?? "unknown";
  const wait = throttle.blockedFor(address);
  if (wait > 0) {
    return Response.json(
      { error: { type: "rate_limit_error", message: "too many failed admin authentications from this address; try again later" } },
      { status: 429, headers: { "retry-after": String(Math.ceil(wait / 1000)), "cache-control": "no-store" } },
    );
  }
  if (authorized?.(req)) return undefined;
  throttle.failed(address);
  return Response.json(
    { error: { type: "authentication_error", message: "the admin API needs the admin key (Bearer or x-api-key)", code: "invalid_api_key" } },
    { status: 401, headers: { "cache-control": "no-store" } },
  );
}
