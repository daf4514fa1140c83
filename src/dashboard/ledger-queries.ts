// The dashboard's reads of the usage ledger. Every list is a keyset page on an index (never OFFSET, never a
// count of all rows) and every aggregate reads a rollup, so each answers in milliseconds at millions of rows.
import type { SQL } from "bun";

/** A request list's filters (exact matches) and where the page starts. */
export interface RequestFilter {
  org?: string;
  user?: string;
  model?: string;
  backend?: string;
  session?: string;
  /** ok: status below 400; error: 400 and up. */
  status?: "ok" | "error";
  /** Only requests before this one (the page's cursor). */
  before?: { ts: number; rid: string };
  /** Only requests that ended at or after, and at or before, these times (ms). */
  fromMs?: number;
  toMs?: number;
  limit: number;
}

const LIST_COLUMNS =
  "ts, request_id, org, key_user, model, backend, upstream_model, status, tokens_in, tokens_out, cache_read, cache_write, cost_usd, ms, ttft_ms, session, agent, estimate, attempts";

/** A page of requests, newest first, and the cursor of the next page (null at the end). */
export async function requestPage(sql: SQL, f: RequestFilter): Promise<{ rows: Record<string, unknown>[]; next: string | null }> {
  const where: string[] = [];
  const params: unknown[] = [];
  const eq = (column: string, value: string | undefined) => {
    if (value === undefined) return;
    params.push(value);
    where.push(`${column} = $${params.length}`);
  };
  eq("org", f.org);
  eq("key_user", f.user);
  eq("model", f.model);
  eq("backend", f.backend);
  eq("session", f.session);
  if (f.session !== undefined) {
    // no index on sessions (too dear to keep): the time index, walked between the session's first and last request
    const [span] = (await sql.unsafe(`SELECT first_ts, last_ts FROM usage_sessions WHERE session = $1`, [f.session])) as {
      first_ts: unknown;
      last_ts: unknown;
    }[];
    if (!span) return { rows: [], next: null };
    params.push(Number(span.first_ts), Number(span.last_ts));
    where.push(`ts >= $${params.length - 1} AND ts <= $${params.length}`);
  }
  if (f.fromMs !== undefined) {
    params.push(f.fromMs);
    where.push(`ts >= $${params.length}`);
  }
  if (f.toMs !== undefined) {
    params.push(f.toMs);
    where.push(`ts <= $${params.length}`);
  }
  if (f.status === "error") where.push("status >= 400");
  if (f.status === "ok") where.push("status < 400");
  if (f.before) {
    params.push(f.before.ts, f.before.rid);
    where.push(`(ts < $${params.length - 1} OR (ts = $${params.length - 1} AND request_id < $${params.length}))`);
  }
  const rows = (await sql.unsafe(
    `SELECT ${LIST_COLUMNS} FROM usage_requests${where.length ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY ts DESC, request_id DESC LIMIT ${f.limit + 1}`,
    params,
  )) as Record<string, unknown>[];
  const page = rows.slice(0, f.limit).map(numbered);
  const last = page[page.length - 1];
  return { rows: page, next: rows.length > f.limit && last ? `${last.ts}.${last.request_id}` : null };
}

/** A cursor as requestPage makes it (`<ts>.<request id>`), or undefined when it is not one. */
export function parseCursor(text: string | null): { ts: number; rid: string } | undefined {
  const m = text ? /^(\d{1,15})\.(.{1,256})$/.exec(text) : null;
  return m ? { ts: Number(m[1]), rid: m[2]! } : undefined;
}

/** Every column of one request (the detail drawer), or undefined. */
export async function requestDetail(sql: SQL, rid: string): Promise<Record<string, unknown> | undefined> {
  const [row] = (await sql.unsafe(`SELECT * FROM usage_requests WHERE request_id = $1 ORDER BY ts DESC LIMIT 1`, [rid])) as Record<string, unknown>[];
  if (!row) return undefined;
  const out = numbered(row);
  if (typeof out.upstream_errors === "string") {
    try {
      out.upstream_errors = JSON.parse(out.upstream_errors);
    } catch {
      // written by the ledger as JSON; left as text if not
    }
  }
  return out;
}

const SPEND_GROUPS: Record<string, string> = { org: "org", key: "org || '/' || key_user", model: "model", backend: "backend" };

/** Cost per day and group since a day (YYYY-MM-DD), from the daily rollups. */
export async function spendByDay(
  sql: SQL,
  sinceDay: string,
  by: string,
): Promise<{ day: string; group: string; cost_usd: number; requests: number; tokens: number }[]> {
  const group = SPEND_GROUPS[by];
  if (!group) throw new RangeError(`by must be one of ${Object.keys(SPEND_GROUPS).join(", ")}`);
  const rows = (await sql.unsafe(
    `SELECT day, ${group} AS grp, SUM(cost_usd) AS cost_usd, SUM(requests) AS requests, SUM(tokens_in) + SUM(tokens_out) AS tokens FROM usage_daily WHERE day >= $1 GROUP BY day, ${group} ORDER BY day, grp`,
    [sinceDay],
  )) as Record<string, unknown>[];
  return rows.map((r) => ({
    day: String(r.day),
    group: String(r.grp ?? ""),
    cost_usd: Number(r.cost_usd),
    requests: Number(r.requests),
    tokens: Number(r.tokens),
  }));
}

/** What was spent on a UTC day (YYYY-MM-DD), from the rollups. */
export async function spentOn(sql: SQL, day: string): Promise<number> {
  const [row] = (await sql.unsafe(`SELECT SUM(cost_usd) AS cost FROM usage_daily WHERE day = $1`, [day])) as { cost: unknown }[];
  return Number(row?.cost ?? 0);
}

/** A page of sessions seen since `fromMs`, the most recent first, with their models; and the next page's cursor. */
export async function sessionPage(
  sql: SQL,
  fromMs: number,
  limit: number,
  before?: { ts: number; rid: string },
): Promise<{ rows: Record<string, unknown>[]; next: string | null }> {
  const params: unknown[] = [fromMs];
  let where = "last_ts >= $1";
  if (before) {
    params.push(before.ts, before.rid);
    where += " AND (last_ts < $2 OR (last_ts = $2 AND session < $3))";
  }
  const rows = (await sql.unsafe(`SELECT * FROM usage_sessions WHERE ${where} ORDER BY last_ts DESC, session DESC LIMIT ${limit + 1}`, params)) as Record<
    string,
    unknown
  >[];
  const page = rows.slice(0, limit).map(numbered);
  const models = new Map<string, Record<string, number>>();
  if (page.length) {
    const names = page.map((r) => r.session as string);
    const list = (await sql.unsafe(
      `SELECT session, model, requests FROM usage_session_models WHERE session IN (${names.map((_, i) => `$${i + 1}`).join(", ")})`,
      names,
    )) as { session: string; model: string; requests: unknown }[];
    for (const m of list) {
      const own = models.get(m.session) ?? {};
      own[m.model] = Number(m.requests);
      models.set(m.session, own);
    }
  }
  for (const r of page) {
    const tokensIn = r.tokens_in as number;
    r.models = models.get(r.session as string) ?? {};
    r.cache_hit_pct = tokensIn > 0 ? Math.round(((r.cache_read as number) / tokensIn) * 1000) / 10 : 0;
  }
  const last = page[page.length - 1];
  return { rows: page, next: rows.length > limit && last ? `${last.last_ts}.${last.session}` : null };
}

/** A row with the database's big integers and numeric texts as numbers (PostgreSQL returns BIGINT sums as strings). */
function numbered(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = typeof v === "bigint" || (NUMERIC.has(k) && typeof v === "string") ? Number(v) : v;
  return out;
}
const NUMERIC = new Set([
  "ts",
  "status",
  "tokens_in",
  "tokens_out",
  "cache_read",
  "cache_write",
  "cost_usd",
  "cache_saved_usd",
  "ms",
  "ttft_ms",
  "attempts",
  "first_ts",
  "last_ts",
  "requests",
  "errors",
  "subagent_requests",
]);
