// `octollm usage --by session`: each agent session's requests, tokens, cost, cache-hit share and what the prompt
// cache saved, from the ledger's raw rows (kept for server.usage_retention_days).
import type { SQL } from "bun";

/** The sessions seen since `fromMs`, the costliest first (rows without a session are left out). */
export async function sessionRows(sql: SQL, fromMs: number): Promise<Record<string, string | number>[]> {
  const rows = (await sql.unsafe(
    `SELECT session, COUNT(*) AS requests, SUM(CASE WHEN status >= 400 THEN 1 ELSE 0 END) AS errors, SUM(tokens_in) AS tokens_in, SUM(tokens_out) AS tokens_out,
       SUM(cost_usd) AS cost_usd, SUM(cache_read) AS cache_read, SUM(cache_write) AS cache_write, SUM(cache_saved_usd) AS cache_saved_usd, MIN(ts) AS first_ts, MAX(ts) AS last_ts
     FROM usage_requests WHERE ts >= $1 AND session IS NOT NULL AND session <> '' GROUP BY session ORDER BY cost_usd DESC, session`,
    [fromMs],
  )) as Record<string, unknown>[];
  return rows.map((r) => {
    const tokensIn = Number(r.tokens_in);
    return {
      session: String(r.session),
      requests: Number(r.requests),
      errors: Number(r.errors),
      tokens_in: tokensIn,
      tokens_out: Number(r.tokens_out),
      cache_hit_pct: tokensIn > 0 ? Math.round((Number(r.cache_read) / tokensIn) * 1000) / 10 : 0,
      cost_usd: Math.round(Number(r.cost_usd) * 1e6) / 1e6,
      cache_saved_usd: Math.round(Number(r.cache_saved_usd) * 1e6) / 1e6,
      first_seen: new Date(Number(r.first_ts)).toISOString(),
      last_seen: new Date(Number(r.last_ts)).toISOString(),
    };
  });
}
