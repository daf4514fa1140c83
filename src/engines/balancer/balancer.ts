import { FAILOVER_DEFAULTS } from "./defaults";
import { GatewayError, UpstreamUnreachable, type Engine, type LLMRequest, type LLMResponse, type Price } from "../../core";
import { CircuitBreaker } from "./circuit-breaker";
import { SmoothWeightedRoundRobin } from "./smooth-wrr";
import { rendezvousOrder } from "./affinity";

/** A backend as pools see it: its engine and its breaker (shared by every pool that holds the same object; made when missing). */
export interface Backend {
  name: string;
  engine: Engine;
  breaker?: CircuitBreaker;
  /** The backend gets the client's own credential (`auth: client`): its 401/403 answers are the client's to see. */
  clientAuth?: boolean;
  /** Its price by upstream model name (undefined: unpriced). */
  price?: (upstreamModel: string) => Price | undefined;
}

/** A backend with its weight in one pool. */
export interface BalancerTarget {
  backend: Backend;
  weight: number;
}

/** Retry limits: attempts in all (first try included) and a time budget for starting new ones. */
export interface FailoverOptions {
  maxAttempts: number;
  budgetMs: number;
}

const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504, 529]);

/** True for errors that another backend may not have (connection failures, timeouts), not for a client that left. */
function retryableError(err: unknown): boolean {
  return err instanceof GatewayError && (err.kind === "upstream_unavailable" || err.kind === "timeout") && err.status !== 499;
}

/** An upstream refused the gateway's own key for a backend: the client's credential was fine, so this is a 502, not a 401. */
class RefusedKey extends GatewayError {}

/**
 * The error for a backend whose upstream answered 401/403 to the gateway's key: a 502 that names the backend and
 * quotes the upstream's message, with x-should-retry: false (retrying, or asking the user to log in, cannot help).
 */
function refusedKey(backend: string, status: number, res: LLMResponse): RefusedKey {
  discard(res);
  let quoted = "";
  try {
    const body = res.body?.json<Record<string, any>>();
    const m = body?.error?.message ?? body?.message ?? body?.error;
    if (typeof m === "string" && m) quoted = `: ${m.replace(/^upstream authentication failed: /, "").slice(0, 300)}`;
  } catch {
    // not JSON: the status says enough
  }
  const message = `backend ${backend} refused the gateway's upstream credentials (upstream ${status})${quoted}; fix that backend's api_key in the gateway config`;
  return new RefusedKey("api_error", message, { status: 502, upstreamStatus: status, headers: { "x-should-retry": "false" } });
}

/**
 * Every backend tried was unreachable (connection refused, reset, DNS): a 502 in either shape that names them and the
 * last connect error, with x-should-retry: false, so that the SDKs (and Claude Code) stop at once instead of retrying
 * for minutes what the gateway's own failover already retried.
 */
function unreachable(req: LLMRequest, last: GatewayError): GatewayError {
  const tried = req.ctx.upstream.errors.map((e) => `${e.backend} (${e.kind})`).join(", ");
  const message = `no backend of this model could be reached (tried ${tried}): ${last.message}`;
  return new GatewayError("upstream_unavailable", message, { status: 502, code: "upstream_unreachable", headers: { "x-should-retry": "false" }, cause: last });
}

/** Lets go of an answer that will not be sent. */
function discard(res: LLMResponse): void {
  res.stream?.cancel().catch(() => {});
}

/**
 * Spreads requests over backends by smooth weighted round-robin. On a connection failure, a timeout,
 * or a 408/429/5xx answer (all before any byte reached the client) it tries the next backend, within
 * the attempt count and the time budget; backends whose circuit is open are skipped while others remain.
 */
export class BalancerEngine implements Engine {
  private readonly rr: SmoothWeightedRoundRobin<BalancerTarget>;
  private readonly backends: Backend[];
  private readonly failover: FailoverOptions;
  private readonly weighted: { item: Backend; name: string; weight: number }[];

  constructor(
    targets: BalancerTarget[],
    failover: Partial<FailoverOptions> = {},
    /** Session affinity: the session key of a request (requests without one are round-robin). */
    private readonly affinity?: (req: LLMRequest) => string | undefined,
  ) {
    this.weighted = targets.map((t) => ({ item: t.backend, name: t.backend.name, weight: t.weight }));
    for (const t of targets) t.backend.breaker ??= new CircuitBreaker(t.backend.name);
    this.rr = new SmoothWeightedRoundRobin(targets.map((t) => ({ item: t, weight: t.weight })));
    this.backends = targets
      .filter((t) => t.weight > 0)
      .sort((a, b) => b.weight - a.weight)
      .map((t) => t.backend);
    this.failover = { maxAttempts: failover.maxAttempts ?? FAILOVER_DEFAULTS.maxAttempts, budgetMs: failover.budgetMs ?? FAILOVER_DEFAULTS.budgetMs };
  }

  /**
   * With a session, the session's rendezvous order decides. Otherwise the first try follows the round-robin; a retry takes the heaviest untried backend. Backends whose
   * circuit is open are passed over; when every one is resting, the first try still goes to the round-robin's pick.
   */
  private pick(tried: Set<Backend>, ranked: Backend[] | undefined, clientOnly: boolean): Backend | undefined {
    const may = (b: Backend) => !clientOnly || b.clientAuth === true;
    if (ranked) {
      // the session's own order: its backend first, then the next ones by rank (a stable fallback per session)
      for (const b of ranked) if (may(b) && !tried.has(b) && b.breaker!.tryAcquire()) return b;
      return tried.size === 0 ? ranked.find(may) : undefined;
    }
    if (tried.size === 0) {
      let first: Backend | undefined;
      for (let i = 0; i < this.rr.size; i++) {
        const b = this.rr.next()!.backend;
        if (!may(b)) continue;
        if (b.breaker!.tryAcquire()) return b;
        first ??= b;
      }
      return first ?? (clientOnly ? this.backends.find(may) : undefined); // the round-robin's turns all fell on others
    }
    for (const b of this.backends) if (may(b) && !tried.has(b) && b.breaker!.tryAcquire()) return b;
    return undefined;
  }

  /** A request that must go to one backend (a stored response lives there): that one, once, whatever its circuit says. */
  private only(name: string, req: LLMRequest): Promise<LLMResponse> {
    const backend = this.backends.find((b) => b.name === name);
    if (!backend) return Promise.reject(new GatewayError("not_found", `the backend that stores this response (${name}) does not serve this request`));
    const up = req.ctx.upstream;
    up.backend = backend.name;
    up.price = backend.price;
    up.attempts = 1;
    return recordStatus(backend.engine.process(req), up);
  }

  async process(req: LLMRequest): Promise<LLMResponse> {
    const started = performance.now();
    const tried = new Set<Backend>();
    let lastError: unknown; // an Error costs a stack trace: made only when there is one to report
    let lastResponse: LLMResponse | undefined;
    const pinned = req.ctx.route.backend;
    if (pinned !== undefined) return this.only(pinned, req);
    const session = this.affinity?.(req);
    const ranked = session === undefined ? undefined : rendezvousOrder(session, this.weighted);
    // a client's own key (a key the gateway does not know) is served by auth: client backends only, and a request that
    // went to one never fails over to a backend that bills the operator's key
    let clientOnly = req.ctx.keyRejected === true;
    for (let attempt = 1; attempt <= this.failover.maxAttempts; attempt++) {
      const backend = this.pick(tried, ranked, clientOnly);
      clientOnly ||= backend?.clientAuth === true;
      if (!backend) break;
      tried.add(backend);
      const up = req.ctx.upstream;
      up.backend = backend.name;
      up.price = backend.price;
      up.attempts = attempt;
      up.status = undefined;
      try {
        const res = await recordStatus(backend.engine.process(req), up);
        const status = up.status!; // the upstream's own, not the one a converter mapped it to (an upstream 401 is not a 500)
        if (!backend.clientAuth && (status === 401 || status === 403)) throw refusedKey(backend.name, status, res);
        const retryable = RETRYABLE_STATUS.has(res.status);
        if (retryable || res.status >= 500) up.errors.push({ backend: backend.name, kind: `http_${status}` });
        if (!retryable) {
          backend.breaker!.success();
          if (lastResponse) discard(lastResponse);
          return res;
        }
        backend.breaker!.failure();
        if (lastResponse) discard(lastResponse);
        lastResponse = res;
      } catch (err) {
        if (!(retryableError(err) || err instanceof RefusedKey) || req.signal.aborted) throw err;
        up.errors.push({ backend: backend.name, kind: err instanceof RefusedKey ? `http_${err.upstreamStatus}` : (err as GatewayError).kind });
        backend.breaker!.failure();
        lastError = err;
      }
      if (performance.now() - started > this.failover.budgetMs) break;
    }
    if (lastResponse) return lastResponse;
    if (lastError instanceof UpstreamUnreachable) throw unreachable(req, lastError);
    if (!lastError && req.ctx.keyRejected)
      throw new GatewayError("authentication", "invalid API key: this model has no backend that takes the client's own key", { code: "invalid_api_key" });
    throw lastError ?? new GatewayError("overloaded", "no backend with a positive weight");
  }
}

/** The answer, its upstream's own status recorded for the access log (of an answer, or of an error that stands for one). */
async function recordStatus(answer: Promise<LLMResponse>, up: { status?: number }): Promise<LLMResponse> {
  try {
    const res = await answer;
    up.status = res.upstreamStatus ?? res.status;
    return res;
  } catch (err) {
    if (err instanceof GatewayError && err.upstreamStatus !== undefined) up.status = err.upstreamStatus;
    throw err;
  }
}
