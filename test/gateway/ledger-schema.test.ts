// A ledger made before the session rollups (SQLite and PostgreSQL) gets them from its raw rows on start, once:
// a second start adds nothing twice; rows without a session stay out.
// needs: postgres (npm test skips this file when it is not reachable, outside CI)
import { expect, test } from "bun:test";
import { SQL } from "bun";
import { prepareLedger } from "../../src/gateway/ledger-schema";
import { freshPostgres, freshSqlitePath } from "../helpers/databases";

const OLD_TABLE =
  "CREATE TABLE usage_requests (ts BIGINT NOT NULL, request_id TEXT NOT NULL, org TEXT, key_user TEXT, model TEXT, backend TEXT, upstream_model TEXT, status INTEGER NOT NULL, tokens_in BIGINT NOT NULL, tokens_out BIGINT NOT NULL, cost_usd DOUBLE PRECISION NOT NULL, ms DOUBLE PRECISION NOT NULL, ttft_ms DOUBLE PRECISION, session TEXT)";
const OLD_ROWS = `INSERT INTO usage_requests VALUES (1, 'a', 'o', 'u', 'm1', 'b', NULL, 200, 10, 1, 0.5, 1, NULL, 's1'), (2, 'b', 'o', 'u', 'm2', 'b', NULL, 500, 5, 1, 0.25, 1, NULL, 's1'), (3, 'c', NULL, NULL, 'm1', 'b', NULL, 200, 1, 1, 0, 1, NULL, NULL), (4, 'd', NULL, NULL, 'm1', 'b', NULL, 200, 7, 1, 0, 1, NULL, '')`;

for (const kind of ["sqlite", "postgres"] as const) {
  test(`${kind}: an older ledger's sessions are rolled up from its rows, once`, async () => {
    const pg = kind === "postgres" ? await freshPostgres() : undefined;
    const sql = new SQL(pg?.url ?? `sqlite://${freshSqlitePath()}`);
    try {
      await sql.unsafe(OLD_TABLE);
      await sql.unsafe(OLD_ROWS);
      await prepareLedger(sql);
      await prepareLedger(sql);
      const sessions = ((await sql.unsafe("SELECT * FROM usage_sessions")) as Record<string, unknown>[]).map((r) =>
        Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === "string" && k !== "session" && k !== "org" && k !== "key_user" ? Number(v) : v])),
      );
      expect(sessions).toEqual([
        {
          session: "s1",
          org: "o",
          key_user: "u",
          first_ts: 1,
          last_ts: 2,
          requests: 2,
          errors: 1,
          subagent_requests: 0,
          tokens_in: 15,
          tokens_out: 2,
          cost_usd: 0.75,
          cache_read: 0,
          cache_write: 0,
          cache_saved_usd: 0,
        },
      ]);
      const models = (await sql.unsafe("SELECT model, requests FROM usage_session_models ORDER BY model")) as { model: string; requests: unknown }[];
      expect(models.map((m) => [m.model, Number(m.requests)])).toEqual([
        ["m1", 1],
        ["m2", 1],
      ]);
    } finally {
      await sql.close();
      await pg?.drop();
    }
  });
}

for (const kind of ["sqlite", "postgres"] as const) {
  test(`${kind}: pruning removes the sessions last seen before the cutoff with their models, and keeps the rest`, async () => {
    const { pgInserter, sqliteInserter } = await import("../../src/gateway/ledger-rows");
    const { seedRows } = await import("../helpers/ledger-seed");
    const pg = kind === "postgres" ? await freshPostgres() : undefined;
    const path = freshSqlitePath();
    const sql = new SQL(pg?.url ?? `sqlite://${path}`);
    try {
      await prepareLedger(sql);
      const inserter = pg ? pgInserter(new SQL(pg.url, { max: 1 })) : sqliteInserter(path);
      const rows = seedRows(200, 2, 5, 30); // two days, 30 sessions
      for (const row of rows) row[13] = `s${Number(row[0]) < Date.now() - 86_400_000 ? "old" : "new"}-${String(row[13] ?? "x")}`;
      await inserter.insert(rows);
      await inserter.prune(Date.now() - 86_400_000);
      await inserter.close();
      const sessions = ((await sql.unsafe("SELECT session FROM usage_sessions")) as { session: string }[]).map((r) => r.session);
      const models = ((await sql.unsafe("SELECT DISTINCT session FROM usage_session_models")) as { session: string }[]).map((r) => r.session);
      expect(sessions.length).toBeGreaterThan(0);
      expect(sessions.every((s) => s.startsWith("snew-"))).toBe(true);
      expect(models.sort()).toEqual([...sessions].sort());
    } finally {
      await sql.close();
      await pg?.drop();
    }
  });
}
