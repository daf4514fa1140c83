// What the Live and Backends pages show, kept in memory: the last requests (a ring of their records) and
// 10-second buckets over 15 minutes (requests, errors, cost, a latency histogram). Per request it stores one
// reference and adds to one bucket; everything else is computed when a page asks.
import type { AccessRecord, RequestObserver } from "../core";

const BUCKET_MS = 10_000;
const BUCKETS = 90; // 15 minutes
const RING = 8192;
/** Upper bounds (ms) of the series' latency histogram. */
const BOUNDS = [25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000, 120_000, 300_000, Number.POSITIVE_INFINITY];

/** Ten seconds of traffic. */
interface Bucket {
  start: number;
  requests: number;
  errors: number;
  cost: number;
  tokens: number;
  latency: Uint32Array;
}

/** One point of a 15-minute series. */
export interface SeriesPoint {
  t: number;
  requests: number;
  errors: number;
  p95_ms: number | null;
  cost_usd: number;
  tokens: number;
}

/** A request as the tail and the Backends page see it: its record and when it ended. */
export interface Recent {
  at: number;
  rec: AccessRecord;
}

/** Collects the dashboard's live view of traffic (a request observer). */
export class LiveCollector implements RequestObserver {
  private readonly ring: (AccessRecord | undefined)[] = new Array(RING);
  private readonly times = new Float64Array(RING);
  private count = 0;
  private readonly buckets: Bucket[] = Array.from({ length: BUCKETS }, () => ({
    start: -1,
    requests: 0,
    errors: 0,
    cost: 0,
    tokens: 0,
    latency: new Uint32Array(BOUNDS.length),
  }));
  /** Answers streaming out now, by model and backend (`model\u0000backend`). */
  private readonly streaming = new Map<string, number>();
  /** Spend since the UTC day began (while this process ran), for a gateway without a ledger. */
  private day = { n: -1, cost: 0 };

  constructor(private readonly now: () => number = Date.now) {}

  ended(rec: AccessRecord): void {
    const at = this.now();
    const i = this.count++ % RING;
    this.ring[i] = rec;
    this.times[i] = at;
    const slot = Math.floor(at / BUCKET_MS);
    const b = this.buckets[slot % BUCKETS]!;
    if (b.start !== slot) {
      b.start = slot;
      b.requests = b.errors = b.cost = b.tokens = 0;
      b.latency.fill(0);
    }
    b.requests++;
    if (rec.status >= 400) b.errors++;
    const cost = rec.cost_usd ?? 0;
    b.cost += cost;
    b.tokens += (rec.tokens_in ?? 0) + (rec.tokens_out ?? 0);
    let k = 0;
    while (rec.ms > BOUNDS[k]!) k++;
    b.latency[k]!++;
    const day = Math.floor(at / 86_400_000);
    if (day !== this.day.n) this.day = { n: day, cost: 0 };
    this.day.cost += cost;
  }

  streamStarted(model: string | undefined, backend: string | undefined): void {
    const key = `${model ?? ""}\u0000${backend ?? ""}`;
    this.streaming.set(key, (this.streaming.get(key) ?? 0) + 1);
  }

  streamEnded(model: string | undefined, backend: string | undefined): void {
    const key = `${model ?? ""}\u0000${backend ?? ""}`;
    const n = (this.streaming.get(key) ?? 1) - 1;
    if (n > 0) this.streaming.set(key, n);
    else this.streaming.delete(key);
  }

  /** Answers streaming out now from a model's backend. */
  streamsOf(model: string, backend: string): number {
    return this.streaming.get(`${model}\u0000${backend}`) ?? 0;
  }

  /** Requests that ended in the last `ms` (newest first; at most the ring's size). */
  recent(ms: number, limit = RING): Recent[] {
    const out: Recent[] = [];
    const from = this.now() - ms;
    for (let n = this.count - 1; n >= 0 && n >= this.count - RING && out.length < limit; n--) {
      const at = this.times[n % RING]!;
      if (at < from) break;
      out.push({ at, rec: this.ring[n % RING]! });
    }
    return out;
  }

  /** The last 15 minutes in 10-second points, oldest first (empty buckets count zero). */
  series(): SeriesPoint[] {
    const last = Math.floor(this.now() / BUCKET_MS);
    const out: SeriesPoint[] = [];
    for (let slot = last - BUCKETS + 1; slot <= last; slot++) {
      const b = this.buckets[slot % BUCKETS]!;
      const live = b.start === slot;
      out.push({
        t: slot * BUCKET_MS,
        requests: live ? b.requests : 0,
        errors: live ? b.errors : 0,
        p95_ms: live && b.requests ? histogramQuantile(b.latency, 0.95) : null,
        cost_usd: live ? b.cost : 0,
        tokens: live ? b.tokens : 0,
      });
    }
    return out;
  }

  /** Spend since 00:00 UTC seen by this process. */
  get spentToday(): number {
    return this.day.n === Math.floor(this.now() / 86_400_000) ? this.day.cost : 0;
  }
}

/** A quantile of a histogram over BOUNDS, interpolated inside its bucket. */
function histogramQuantile(counts: Uint32Array, q: number): number {
  let total = 0;
  for (const c of counts) total += c;
  let rank = q * total;
  for (let k = 0; k < counts.length; k++) {
    const c = counts[k]!;
    if (rank <= c && c > 0) {
      const lo = k ? BOUNDS[k - 1]! : 0;
      const hi = Number.isFinite(BOUNDS[k]) ? BOUNDS[k]! : lo * 2;
      return Math.round(lo + ((hi - lo) * rank) / c);
    }
    rank -= c;
  }
  return BOUNDS[BOUNDS.length - 2]!;
}

/** The q-quantile of numbers (nearest rank; null for none). */
export function quantile(values: number[], q: number): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
