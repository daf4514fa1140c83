// The Live and Backends pages' data: tiles, the 15-minute series and the tail from the live collector; backends
// from the same requests and their circuit breakers.
import type { AccessRecord } from "../core";
import { spentOn } from "./ledger-queries";
import type { DashboardContext } from "./context";
import { quantile, type Recent } from "./live";

const WINDOW_MS = 5 * 60_000;

/** A request of the tail. */
export function tailRow({ at, rec }: Recent) {
  return {
    at,
    rid: rec.rid,
    org: rec.org ?? null,
    user: rec.user ?? null,
    model: rec.model ?? null,
    backend: rec.backend ?? null,
    status: rec.status,
    ms: Math.round(rec.ms),
    ttft_ms: rec.ttft_ms === undefined ? null : Math.round(rec.ttft_ms),
    tokens_in: rec.tokens_in ?? 0,
    tokens_out: rec.tokens_out ?? 0,
    cache_read: rec.cache_read ?? 0,
    cost_usd: rec.cost_usd ?? 0,
    session: rec.session ?? null,
    agent: rec.agent ?? null,
  };
}

/** The Live page's snapshot, made at most once a second however many pages watch (each open page asks every 2 s). */
export function sharedLiveSnapshot(ctx: DashboardContext): () => Promise<LiveSnapshot> {
  let last: { at: number; value: Promise<LiveSnapshot> } | undefined;
  return () => {
    const now = Date.now();
    if (!last || now - last.at >= 1000) last = { at: now, value: liveSnapshot(ctx) };
    return last.value;
  };
}

/** What the Live page shows. */
export type LiveSnapshot = Awaited<ReturnType<typeof liveSnapshot>>;

/** The Live page: tiles, series and the last 25 requests. */
export async function liveSnapshot(ctx: DashboardContext) {
  const series = ctx.live.series();
  const now = Date.now();
  const lastMinute = series.slice(-7); // six full buckets and the current one
  const minuteRequests = lastMinute.reduce((n, p) => n + p.requests, 0);
  const seconds = Math.max(1, (now - lastMinute[0]!.t) / 1000);
  const window = series.slice(-30); // 5 minutes
  const windowRequests = window.reduce((n, p) => n + p.requests, 0);
  const windowErrors = window.reduce((n, p) => n + p.errors, 0);
  const recent = ctx.live.recent(WINDOW_MS);
  const ledger = ctx.ledger();
  let spendToday = ctx.live.spentToday;
  let spendSource = "memory";
  if (ledger) {
    const fromLedger = await ledger
      .sql()
      .then((sql) => spentOn(sql, new Date(now).toISOString().slice(0, 10)))
      .catch(() => undefined);
    if (fromLedger !== undefined) {
      spendToday = fromLedger;
      spendSource = "ledger";
    }
  }
  return {
    at: now,
    tiles: {
      requests_per_s: Math.round((minuteRequests / seconds) * 100) / 100,
      error_pct: windowRequests ? Math.round((windowErrors / windowRequests) * 1000) / 10 : 0,
      p95_ms: quantile(
        recent.map((r) => r.rec.ms),
        0.95,
      ),
      p95_ttft_ms: quantile(
        recent.flatMap((r) => (r.rec.ttft_ms === undefined ? [] : [r.rec.ttft_ms])),
        0.95,
      ),
      spend_today_usd: Math.round(spendToday * 1e6) / 1e6,
      spend_source: spendSource,
      streams_in_flight: ctx.inFlight() ?? null,
    },
    series,
    tail: ctx.live.recent(Number.POSITIVE_INFINITY, 25).map(tailRow),
  };
}

/** One backend's last 15 minutes. */
interface BackendStats {
  model: string;
  backend: string;
  state: string;
  rest_left_ms: number;
  requests: number;
  errors: number;
  failed_attempts: number;
  ms: number[];
  ttft: number[];
  tokens_in: number;
  cache_read: number;
  last_error: { at: number; status: number; message: string } | null;
}

/** The Backends page: every configured backend's circuit state, and what its requests of the last 15 minutes did. */
export function backendsSnapshot(ctx: DashboardContext) {
  const stats = new Map<string, BackendStats>();
  const entry = (model: string, backend: string, state = "closed", rest = 0) => {
    const key = `${model}\u0000${backend}`;
    let s = stats.get(key);
    if (!s) {
      s = {
        model,
        backend,
        state,
        rest_left_ms: rest,
        requests: 0,
        errors: 0,
        failed_attempts: 0,
        ms: [],
        ttft: [],
        tokens_in: 0,
        cache_read: 0,
        last_error: null,
      };
      stats.set(key, s);
    }
    return s;
  };
  for (const b of ctx.current().backendStates()) entry(b.model, b.backend, b.state, b.rest_left_ms);
  for (const { at, rec } of ctx.live.recent(15 * 60_000)) countRequest(entry, at, rec);
  return {
    window_s: 900,
    backends: [...stats.values()].map(({ ms, ttft, ...s }) => ({
      ...s,
      streaming: ctx.live.streamsOf(s.model, s.backend),
      error_pct: s.requests + s.failed_attempts ? Math.round(((s.errors + s.failed_attempts) / (s.requests + s.failed_attempts)) * 1000) / 10 : 0,
      p50_ms: quantile(ms, 0.5),
      p95_ms: quantile(ms, 0.95),
      p50_ttft_ms: quantile(ttft, 0.5),
      p95_ttft_ms: quantile(ttft, 0.95),
      cache_read_pct: s.tokens_in ? Math.round((s.cache_read / s.tokens_in) * 1000) / 10 : 0,
    })),
  };
}

/** Adds one request to its backend's figures, and each failed attempt to the backend that failed. */
function countRequest(entry: (model: string, backend: string) => BackendStats, at: number, rec: AccessRecord): void {
  const model = rec.route ?? rec.model ?? "";
  for (const failed of rec.upstream_errors ?? []) {
    const s = entry(model, failed.backend);
    s.failed_attempts++;
    if (!s.last_error || s.last_error.at < at) s.last_error = { at, status: rec.upstream_status ?? 0, message: `attempt failed: ${failed.kind}` };
  }
  if (!rec.backend) return;
  const s = entry(model, rec.backend);
  s.requests++;
  s.ms.push(rec.ms);
  if (rec.ttft_ms !== undefined) s.ttft.push(rec.ttft_ms);
  s.tokens_in += rec.tokens_in ?? 0;
  s.cache_read += rec.cache_read ?? 0;
  if (rec.status >= 400) {
    s.errors++;
    s.last_error = { at, status: rec.status, message: (rec.error ?? rec.outcome ?? "").slice(0, 300) };
  }
}
