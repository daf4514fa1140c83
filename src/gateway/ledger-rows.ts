// Ledger rows: their columns, the daily rollups of a batch, and the writers for SQLite and PostgreSQL (which
// run in the ledger's worker thread, so that writing never holds up requests).
import { Database } from "bun:sqlite";
import type { SQL } from "bun";

/** Writes batches of rows (with their daily rollups) and prunes old ones, in one database. */
export interface Inserter {
  insert(rows: Row[]): void | Promise<void>;
  prune(cutoff: number): void | Promise<void>;
  /** Runs a trivial query (throws when the database does not answer). */
  ping(): void | Promise<void>;
  close(): void | Promise<void>;
}

/** The columns of a ledger row, in order. */
export const COLUMNS = [
  "ts",
  "request_id",
  "org",
  "key_user",
  "model",
  "backend",
  "upstream_model",
  "status",
  "tokens_in",
  "tokens_out",
  "cost_usd",
  "ms",
  "ttft_ms",
  "session",
  "estimate",
  "cache_read",
  "cache_write",
  "cache_saved_usd",
  "agent",
  "attempts",
  "outcome",
  "error",
  "upstream_errors",
] as const;
/** One ledger row: the values of COLUMNS. */
export type Row = (string | number | null)[];

/** The columns of a daily rollup, in order. */
export const DAILY_COLUMNS = [
  "day",
  "org",
  "key_user",
  "model",
  "backend",
  "requests",
  "errors",
  "tokens_in",
  "tokens_out",
  "cost_usd",
  "cache_read",
  "cache_write",
  "cache_saved_usd",
] as const;
const DAILY_INSERT = `INSERT INTO usage_daily (${DAILY_COLUMNS.join(", ")})`;

/** Deletes up to 5 000 raw rows older than its one parameter (a time in ms), by the database's row address; the rollups stay. */
export const pruneSql = (rowAddress: "rowid" | "ctid") =>
  `DELETE FROM usage_requests WHERE ${rowAddress} IN (SELECT ${rowAddress} FROM usage_requests WHERE ts < $1 LIMIT 5000)`;

/** The same up to 5 000 sessions, each time it is asked (ordered, so both statements below pick the same ones). */
const OLD_SESSIONS = `SELECT session FROM usage_sessions WHERE last_ts < $1 ORDER BY last_ts, session LIMIT 5000`;
/** Deletes up to 5 000 sessions last seen before its one parameter (a time in ms), their models first. */
export const PRUNE_SESSIONS = [
  `DELETE FROM usage_session_models WHERE session IN (${OLD_SESSIONS})`,
  `DELETE FROM usage_sessions WHERE session IN (${OLD_SESSIONS})`,
];

/** The columns of a session rollup, in order. */
export const SESSION_COLUMNS = [
  "session",
  "org",
  "key_user",
  "first_ts",
  "last_ts",
  "requests",
  "errors",
  "subagent_requests",
  "tokens_in",
  "tokens_out",
  "cost_usd",
  "cache_read",
  "cache_write",
  "cache_saved_usd",
] as const;
/** An upsert's SET clause that adds each of these columns of the new row to the row already in `table`. */
function summed(table: string, columns: readonly string[]): string {
  return columns.map((c) => `${c} = ${table}.${c} + excluded.${c}`).join(", ");
}
/** How a session rollup adds to the row already there (the first request's org and key stay). */
export const SESSION_UPSERT = `INSERT INTO usage_sessions (${SESSION_COLUMNS.join(", ")}) VALUES %VALUES% ON CONFLICT (session) DO UPDATE SET first_ts = CASE WHEN excluded.first_ts < usage_sessions.first_ts THEN excluded.first_ts ELSE usage_sessions.first_ts END, last_ts = CASE WHEN excluded.last_ts > usage_sessions.last_ts THEN excluded.last_ts ELSE usage_sessions.last_ts END, ${summed("usage_sessions", SESSION_COLUMNS.slice(5))}`;
/** How a session's requests per model add up. */
export const SESSION_MODELS_UPSERT = `INSERT INTO usage_session_models (session, model, requests) VALUES %VALUES% ON CONFLICT (session, model) DO UPDATE SET requests = usage_session_models.requests + excluded.requests`;

/** A batch's session totals (one row per session) and its requests per session and model. */
export function sessionRollupsOf(rows: Row[]): { sessions: Row[]; models: Row[] } {
  const sessions = new Map<string, Row>();
  const models = new Map<string, Row>();
  for (const row of rows) {
    const session = row[13] as string | null;
    if (!session) continue;
    const ts = row[0] as number;
    let s = sessions.get(session);
    if (!s) sessions.set(session, (s = [session, row[2] ?? "", row[3] ?? "", ts, ts, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    if (ts < (s[3] as number)) s[3] = ts;
    if (ts > (s[4] as number)) s[4] = ts;
    s[5] = (s[5] as number) + 1;
    s[6] = (s[6] as number) + ((row[7] as number) >= 400 ? 1 : 0);
    s[7] = (s[7] as number) + (row[18] ? 1 : 0);
    for (const [to, from] of [
      [8, 8],
      [9, 9],
      [10, 10],
      [11, 15],
      [12, 16],
      [13, 17],
    ] as const)
      s[to] = (s[to] as number) + ((row[from] as number) ?? 0);
    const key = `${session}\u0000${row[4] ?? ""}`;
    const m = models.get(key);
    if (m) m[2] = (m[2] as number) + 1;
    else models.set(key, [session, row[4] ?? "", 1]);
  }
  return { sessions: [...sessions.values()], models: [...models.values()] };
}

/** How a daily rollup adds to the row already there: every column after the key, summed. */
export const UPSERT_SET = summed("usage_daily", DAILY_COLUMNS.slice(5));

let lastDay = { n: -1, text: "" };

/** The UTC day (YYYY-MM-DD) of a time in ms, remembered while the day lasts. */
function dayOf(ms: number): string {
  const n = Math.floor(ms / 86_400_000);
  if (n !== lastDay.n) lastDay = { n, text: new Date(n * 86_400_000).toISOString().slice(0, 10) };
  return lastDay.text;
}

/** A batch's daily totals: one row per day, org, key, model and backend. */
export function rollupsOf(rows: Row[]): Row[] {
  const daily = new Map<string, Row>();
  for (const row of rows) {
    const day = dayOf(row[0] as number);
    const key = [day, row[2] ?? "", row[3] ?? "", row[4] ?? "", row[5] ?? ""].join("\u0000");
    const d = daily.get(key) ?? [day, row[2] ?? "", row[3] ?? "", row[4] ?? "", row[5] ?? "", 0, 0, 0, 0, 0, 0, 0, 0];
    d[5] = (d[5] as number) + 1;
    d[6] = (d[6] as number) + ((row[7] as number) >= 400 ? 1 : 0);
    d[7] = (d[7] as number) + (row[8] as number);
    d[8] = (d[8] as number) + (row[9] as number);
    d[9] = (d[9] as number) + (row[10] as number);
    for (let c = 0; c < 3; c++) d[10 + c] = (d[10 + c] as number) + ((row[15 + c] as number) ?? 0); // cache_read, cache_write, cache_saved_usd
    daily.set(key, d);
  }
  return [...daily.values()];
}

const ROWS_PER_STATEMENT = 50; // one statement inserts this many rows (700 parameters): far fewer calls into SQLite

/** Writes batches of rows and their rollups to a SQLite file: prepared statements, one transaction per batch. */
export function sqliteInserter(path: string): Inserter {
  const db = new Database(path);
  db.run("PRAGMA busy_timeout = 5000"); // first: switching to WAL waits for another connection's lock instead of failing
  db.run("PRAGMA journal_mode = WAL");
  db.run("PRAGMA synchronous = NORMAL"); // with WAL: a power cut may lose the last batches, never corrupts
  const values = (n: number) => Array.from({ length: n }, () => `(${COLUMNS.map(() => "?").join(", ")})`).join(", ");
  const insertRows = (n: number) => db.prepare(`INSERT INTO usage_requests (${COLUMNS.join(", ")}) VALUES ${values(n)}`);
  const many = insertRows(ROWS_PER_STATEMENT);
  const one = insertRows(1);
  const rollup = db.prepare(
    `${DAILY_INSERT} VALUES (${DAILY_COLUMNS.map(() => "?").join(", ")}) ON CONFLICT (day, org, key_user, model, backend) DO UPDATE SET ${UPSERT_SET}`,
  );
  const session = db.prepare(SESSION_UPSERT.replace("%VALUES%", `(${SESSION_COLUMNS.map(() => "?").join(", ")})`));
  const sessionModel = db.prepare(SESSION_MODELS_UPSERT.replace("%VALUES%", "(?, ?, ?)"));
  const insert = db.transaction((rows: Row[], rollups: Row[]) => {
    let i = 0;
    for (; i + ROWS_PER_STATEMENT <= rows.length; i += ROWS_PER_STATEMENT) many.run(...(rows.slice(i, i + ROWS_PER_STATEMENT).flat() as [string]));
    for (; i < rows.length; i++) one.run(...(rows[i] as [string]));
    for (const r of rollups) rollup.run(...(r as [string]));
    const sessions = sessionRollupsOf(rows);
    for (const r of sessions.sessions) session.run(...(r as [string]));
    for (const r of sessions.models) sessionModel.run(...(r as [string]));
  });
  const prune = [pruneSql("rowid"), ...PRUNE_SESSIONS].map((q) => db.prepare(q));
  return {
    insert: (rows) => insert(rows, rollupsOf(rows)),
    prune: (cutoff) => {
      for (const statement of prune) statement.run(cutoff);
    },
    ping: () => void db.query("SELECT 1").get(),
    close: () => db.close(),
  };
}

/** Writes batches to PostgreSQL: one multi-row insert and one upsert of the rollups per transaction. */
export function pgInserter(sql: SQL): Inserter {
  const placeholders = (rows: number, columns: number) =>
    Array.from({ length: rows }, (_, r) => `(${Array.from({ length: columns }, (_, c) => `$${r * columns + c + 1}`).join(", ")})`).join(", ");
  return {
    insert: (rows) => {
      const rollups = rollupsOf(rows);
      const sessions = sessionRollupsOf(rows);
      return sql.begin(async (tx) => {
        await tx.unsafe(`INSERT INTO usage_requests (${COLUMNS.join(", ")}) VALUES ${placeholders(rows.length, COLUMNS.length)}`, rows.flat());
        await tx.unsafe(
          `${DAILY_INSERT} VALUES ${placeholders(rollups.length, DAILY_COLUMNS.length)} ON CONFLICT (day, org, key_user, model, backend) DO UPDATE SET ${UPSERT_SET}`,
          rollups.flat(),
        );
        if (sessions.sessions.length) {
          await tx.unsafe(SESSION_UPSERT.replace("%VALUES%", placeholders(sessions.sessions.length, SESSION_COLUMNS.length)), sessions.sessions.flat());
          await tx.unsafe(SESSION_MODELS_UPSERT.replace("%VALUES%", placeholders(sessions.models.length, 3)), sessions.models.flat());
        }
      });
    },
    prune: async (cutoff) => {
      for (const statement of [pruneSql("ctid"), ...PRUNE_SESSIONS]) await sql.unsafe(statement, [cutoff]);
    },
    ping: async () => void (await sql.unsafe("SELECT 1")),
    close: () => sql.close(),
  };
}
