// Dashboard sessions in a config database (SQLite and PostgreSQL), with a clock the test moves: a session lives
// while used (its time written at most once a minute), ends after 12 idle hours, at logout, or for another key.
// needs: postgres (npm test skips this file when it is not reachable, outside CI)
import { expect, test } from "bun:test";
import { SQL } from "bun";
import { DbSessions } from "../../src/dashboard/db-sessions";
import { freshPostgres, freshSqlitePath } from "../helpers/databases";

for (const kind of ["sqlite", "postgres"] as const) {
  test(`${kind}: open, use, idle end, key change and logout`, async () => {
    const pg = kind === "postgres" ? await freshPostgres() : undefined;
    const sql = new SQL(pg?.url ?? `sqlite://${freshSqlitePath()}`);
    try {
      let now = 1_000_000;
      const store = new DbSessions(sql, () => now);
      const s = await store.open("key-a");
      expect(s.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect((await store.get(s.id, "key-a"))?.csrf).toBe(s.csrf);
      now += 11 * 3600_000;
      expect(await store.get(s.id, "key-a")).toBeDefined(); // used: its idle time starts again
      now += 11 * 3600_000;
      expect(await store.get(s.id, "key-a")).toBeDefined();
      now += 12 * 3600_000 + 1;
      expect(await store.get(s.id, "key-a")).toBeUndefined();
      const t = await store.open("key-a");
      expect(await store.get(t.id, "key-b")).toBeUndefined();
      expect(await store.get(t.id, "key-a")).toBeUndefined(); // gone for the old key too
      const u = await store.open("key-a");
      await store.end(u.id);
      expect(await store.get(u.id, "key-a")).toBeUndefined();
      expect(await store.get(undefined, "key-a")).toBeUndefined();
      expect(await store.get("x".repeat(500), "key-a")).toBeUndefined();
      const [left] = (await sql.unsafe("SELECT COUNT(*) AS n FROM octollm_ui_sessions")) as { n: unknown }[];
      expect(Number(left!.n)).toBe(0); // every ended session was deleted
    } finally {
      await sql.close();
      await pg?.drop();
    }
  });
}
