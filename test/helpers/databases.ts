// Databases for tests: a fresh PostgreSQL database on the real server at 127.0.0.1:5432 (dropped afterwards)
// and SQLite files in a temporary directory.
import { SQL } from "bun";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The PostgreSQL server the tests use (trust auth, database `test`). */
export const PG_ADMIN_URL = process.env.OCTOLLM_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/test";

/** A new, empty PostgreSQL database; `drop()` removes it. */
export async function freshPostgres(): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `octollm_t_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new SQL(PG_ADMIN_URL);
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.close();
  const url = PG_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
  return {
    url,
    name,
    drop: async () => {
      const a = new SQL(PG_ADMIN_URL);
      await a.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.close();
    },
  };
}

/** A path for a new SQLite file. */
export function freshSqlitePath(): string {
  return join(mkdtempSync(join(tmpdir(), "octollm-db-")), "config.db");
}
