// The usage ledger's tables and indexes, and the columns added after their first release (a ledger made before
// gets them on start). The dashboard's lists read the indexes: each filter with time, and the session rollups.
import type { SQL } from "bun";

/** The tables and indexes, made when missing. */
const TABLES = [
  `CREATE TABLE IF NOT EXISTS usage_requests (ts BIGINT NOT NULL, request_id TEXT NOT NULL, org TEXT, key_user TEXT, model TEXT, backend TEXT, upstream_model TEXT, status INTEGER NOT NULL, tokens_in BIGINT NOT NULL, tokens_out BIGINT NOT NULL, cost_usd DOUBLE PRECISION NOT NULL, ms DOUBLE PRECISION NOT NULL, ttft_ms DOUBLE PRECISION, session TEXT)`,
  `CREATE TABLE IF NOT EXISTS usage_daily (day TEXT NOT NULL, org TEXT NOT NULL, key_user TEXT NOT NULL, model TEXT NOT NULL, backend TEXT NOT NULL, requests BIGINT NOT NULL, errors BIGINT NOT NULL, tokens_in BIGINT NOT NULL, tokens_out BIGINT NOT NULL, cost_usd DOUBLE PRECISION NOT NULL, PRIMARY KEY (day, org, key_user, model, backend))`,
  // one row per agent session, kept up to date by every batch (the sessions page reads it, never the raw rows)
  `CREATE TABLE IF NOT EXISTS usage_sessions (session TEXT PRIMARY KEY, org TEXT NOT NULL, key_user TEXT NOT NULL, first_ts BIGINT NOT NULL, last_ts BIGINT NOT NULL, requests BIGINT NOT NULL, errors BIGINT NOT NULL, subagent_requests BIGINT NOT NULL, tokens_in BIGINT NOT NULL, tokens_out BIGINT NOT NULL, cost_usd DOUBLE PRECISION NOT NULL, cache_read BIGINT NOT NULL, cache_write BIGINT NOT NULL, cache_saved_usd DOUBLE PRECISION NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS usage_session_models (session TEXT NOT NULL, model TEXT NOT NULL, requests BIGINT NOT NULL, PRIMARY KEY (session, model))`,
];

/**
 * Indexes: raw rows by time (and id, session); by org and by key with time (an org or key may be rare: its rows are found without
 * walking everyone's); errors (a partial index: they are few); a request by id. Models and backends are few, so
 * their filters walk the time index; a session's rows are walked between its first and last request (from its
 * rollup). Writing a row costs ~10 µs of the ledger thread's CPU with these (6 with the time index alone); an
 * index on sessions would add ~14 µs, as sessions are many and live at once (200 000 rows in time order).
 */
const INDEXES = [
  // time, then id: the lists' order (newest first, ties by id), so a filter on a column without an index walks it;
  // with the session, a session's rows are found by walking this index alone (a month-long session at a million
  // rows: ~100 ms, against ~320 ms reading each row); always written at its end, so it costs little
  `CREATE INDEX IF NOT EXISTS usage_requests_time ON usage_requests (ts, request_id, session)`,
  `DROP INDEX IF EXISTS usage_requests_ts`, // the first release's time index, which the one above replaces
  `CREATE INDEX IF NOT EXISTS usage_requests_org_ts ON usage_requests (org, ts)`,
  `CREATE INDEX IF NOT EXISTS usage_requests_key_ts ON usage_requests (org, key_user, ts)`,
  `CREATE INDEX IF NOT EXISTS usage_requests_errors_ts ON usage_requests (ts) WHERE status >= 400`,
  `CREATE INDEX IF NOT EXISTS usage_requests_rid ON usage_requests (request_id)`,
  `CREATE INDEX IF NOT EXISTS usage_daily_org_day ON usage_daily (org, day)`,
  `CREATE INDEX IF NOT EXISTS usage_daily_day ON usage_daily (day)`,
  `CREATE INDEX IF NOT EXISTS usage_sessions_last ON usage_sessions (last_ts)`,
];

/** Columns added to usage_requests after its first release. */
const ADDED_REQUEST_COLUMNS = [
  "estimate TEXT",
  "cache_read BIGINT NOT NULL DEFAULT 0",
  "cache_write BIGINT NOT NULL DEFAULT 0",
  "cache_saved_usd DOUBLE PRECISION NOT NULL DEFAULT 0",
  "agent TEXT",
  "attempts INTEGER NOT NULL DEFAULT 1",
  "outcome TEXT",
  "error TEXT",
  "upstream_errors TEXT",
];
/** Columns added to usage_daily after its first release. */
const ADDED_DAILY_COLUMNS = [
  "cache_read BIGINT NOT NULL DEFAULT 0",
  "cache_write BIGINT NOT NULL DEFAULT 0",
  "cache_saved_usd DOUBLE PRECISION NOT NULL DEFAULT 0",
];

/**
 * A ledger made before the session rollups gets them from its raw rows, once (while usage_sessions is empty; a
 * second instance doing the same at once skips the sessions the first has written).
 */
const BACKFILL_SESSIONS = [
  `INSERT INTO usage_sessions (session, org, key_user, first_ts, last_ts, requests, errors, subagent_requests, tokens_in, tokens_out, cost_usd, cache_read, cache_write, cache_saved_usd)
   SELECT session, MIN(COALESCE(org, '')), MIN(COALESCE(key_user, '')), MIN(ts), MAX(ts), COUNT(*), SUM(CASE WHEN status >= 400 THEN 1 ELSE 0 END),
     SUM(CASE WHEN agent IS NOT NULL THEN 1 ELSE 0 END), SUM(tokens_in), SUM(tokens_out), SUM(cost_usd), SUM(cache_read), SUM(cache_write), SUM(cache_saved_usd)
   FROM usage_requests WHERE session IS NOT NULL AND session <> '' GROUP BY session ON CONFLICT (session) DO NOTHING`,
  `INSERT INTO usage_session_models (session, model, requests)
   SELECT session, COALESCE(model, ''), COUNT(*) FROM usage_requests WHERE session IS NOT NULL AND session <> '' GROUP BY session, COALESCE(model, '')
   ON CONFLICT (session, model) DO NOTHING`,
];

/** Makes the ledger's tables, adds the columns an older ledger lacks, then the indexes; fills the session rollups of an older one. */
export async function prepareLedger(sql: SQL): Promise<void> {
  for (const statement of TABLES) await sql.unsafe(statement);
  for (const column of ADDED_REQUEST_COLUMNS) await sql.unsafe(`ALTER TABLE usage_requests ADD COLUMN ${column}`).catch(() => {}); // one that has it refuses quietly
  for (const column of ADDED_DAILY_COLUMNS) await sql.unsafe(`ALTER TABLE usage_daily ADD COLUMN ${column}`).catch(() => {});
  for (const statement of INDEXES) await sql.unsafe(statement);
  const [any] = (await sql.unsafe("SELECT 1 AS one FROM usage_sessions LIMIT 1")) as unknown[];
  if (!any) for (const statement of BACKFILL_SESSIONS) await sql.unsafe(statement);
}
