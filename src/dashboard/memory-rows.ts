// The Requests and Sessions pages of a gateway without a usage ledger: the same rows, from the last requests this
// process holds in memory (up to 8 192), so a quick start shows its traffic; nothing older, nothing after a restart.
import type { AccessRecord } from "../core";
import type { RequestFilter } from "./ledger-queries";
import type { LiveCollector, Recent } from "./live";

/** A request from memory in the shape of a ledger row. */
function rowOf({ at, rec }: Recent): Record<string, unknown> {
  return {
    ts: at,
    request_id: rec.rid,
    org: rec.org ?? null,
    key_user: rec.user ?? null,
    model: rec.model ?? null,
    backend: rec.backend ?? null,
    upstream_model: rec.upstream_model ?? null,
    status: rec.status,
    tokens_in: rec.tokens_in ?? 0,
    tokens_out: rec.tokens_out ?? 0,
    cache_read: rec.cache_read ?? 0,
    cache_write: rec.cache_write ?? 0,
    cost_usd: rec.cost_usd ?? 0,
    cache_saved_usd: rec.cache_saved_usd ?? 0,
    ms: rec.ms,
    ttft_ms: rec.ttft_ms ?? null,
    session: rec.session ?? null,
    agent: rec.agent ?? null,
    estimate: rec.estimate ?? null,
    attempts: rec.attempts ?? 1,
    outcome: rec.outcome ?? null,
    error: rec.error ?? null,
    upstream_errors: rec.upstream_errors ?? null,
  };
}

/** Whether a record passes a request list's filters. */
function matches(rec: AccessRecord, f: RequestFilter): boolean {
  return (
    (f.org === undefined || rec.org === f.org) &&
    (f.user === undefined || rec.user === f.user) &&
    (f.model === undefined || rec.model === f.model) &&
    (f.backend === undefined || rec.backend === f.backend) &&
    (f.session === undefined || rec.session === f.session) &&
    (f.status === undefined || (f.status === "error" ? rec.status >= 400 : rec.status < 400))
  );
}

/** A page of the requests held in memory, newest first, as requestPage gives one from the ledger. */
export function memoryRequestPage(live: LiveCollector, f: RequestFilter): { rows: Record<string, unknown>[]; next: string | null; source: "memory" } {
  // the ledger's order: time, then id, newest first (the ring holds them in the order they ended)
  const all = live.recent(Number.POSITIVE_INFINITY).sort((a, b) => b.at - a.at || (a.rec.rid < b.rec.rid ? 1 : a.rec.rid > b.rec.rid ? -1 : 0));
  const before = f.before;
  const page: Record<string, unknown>[] = [];
  let more = false;
  for (const r of all) {
    if (before && (r.at > before.ts || (r.at === before.ts && r.rec.rid >= before.rid))) continue;
    if (!matches(r.rec, f) || (f.fromMs !== undefined && r.at < f.fromMs) || (f.toMs !== undefined && r.at > f.toMs)) continue;
    if (page.length === f.limit) {
      more = true;
      break;
    }
    page.push(rowOf(r));
  }
  const last = page[page.length - 1];
  return { rows: page, next: more && last ? `${last.ts}.${last.request_id}` : null, source: "memory" };
}

/** One request held in memory, or undefined. */
export function memoryRequest(live: LiveCollector, rid: string): Record<string, unknown> | undefined {
  const found = live.recent(Number.POSITIVE_INFINITY).find((r) => r.rec.rid === rid);
  return found && rowOf(found);
}

/** The sessions of the requests held in memory, the most recent first, as sessionPage gives them from the ledger. */
export function memorySessions(live: LiveCollector, limit: number): { rows: Record<string, unknown>[]; next: null; source: "memory" } {
  const sessions = new Map<string, Record<string, any>>();
  for (const { at, rec } of live.recent(Number.POSITIVE_INFINITY)) {
    if (!rec.session) continue;
    let s = sessions.get(rec.session);
    if (!s) {
      s = { session: rec.session, org: rec.org ?? "", key_user: rec.user ?? "", first_ts: at, last_ts: at, requests: 0, errors: 0, subagent_requests: 0 };
      Object.assign(s, { tokens_in: 0, tokens_out: 0, cost_usd: 0, cache_read: 0, cache_write: 0, cache_saved_usd: 0, models: {} });
      sessions.set(rec.session, s);
    }
    s.first_ts = at; // newest first: the last one seen is the oldest
    s.requests++;
    if (rec.status >= 400) s.errors++;
    if (rec.agent) s.subagent_requests++;
    s.tokens_in += rec.tokens_in ?? 0;
    s.tokens_out += rec.tokens_out ?? 0;
    s.cost_usd += rec.cost_usd ?? 0;
    s.cache_read += rec.cache_read ?? 0;
    s.cache_write += rec.cache_write ?? 0;
    s.cache_saved_usd += rec.cache_saved_usd ?? 0;
    if (rec.model) s.models[rec.model] = (s.models[rec.model] ?? 0) + 1;
  }
  const rows = [...sessions.values()].slice(0, limit);
  for (const s of rows) s.cache_hit_pct = s.tokens_in > 0 ? Math.round((s.cache_read / s.tokens_in) * 1000) / 10 : 0;
  return { rows, next: null, source: "memory" };
}
