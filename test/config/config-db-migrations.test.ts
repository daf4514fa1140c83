// Config database schema upgrades: a database made by an older octollm (schema 1) is migrated in place at
// start, and then keeps what the newer schema stores (an org's budgets), on SQLite and PostgreSQL.
// needs: postgres (npm test skips this file when it is not reachable, outside CI)
import { expect, test } from "bun:test";
import { migrate, openDatabase, readConfig, replaceConfig, SCHEMA_VERSION, writeConfig } from "../../src/config";
import { freshPostgres, freshSqlitePath } from "../helpers/databases";

// a database as schema 1 left it: today's tables, less what migration 2 added
const BACK_TO_SCHEMA_1 = [`ALTER TABLE octollm_orgs DROP COLUMN settings`, `DELETE FROM octollm_migrations WHERE id >= 2`];

test("a schema-1 database is migrated in place; an org's budgets then survive a write and a read", async () => {
  const pg = await freshPostgres();
  try {
    for (const url of [freshSqlitePath(), pg.url]) {
      const db = await openDatabase(url);
      try {
        await migrate(db);
        for (const s of BACK_TO_SCHEMA_1) await db.sql.unsafe(s);
        await db.sql.unsafe(`INSERT INTO octollm_orgs (name, position, key_limits) VALUES ('acme', 0, NULL)`); // a row from before
        await migrate(db); // adds octollm_orgs.settings back, in place
        const applied = (await db.sql.unsafe(`SELECT id FROM octollm_migrations ORDER BY id`)).map((r: { id: number }) => Number(r.id));
        expect(applied).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1));
        const config = {
          models: { m: { backends: { "default:1": { provider: "mock" } } } },
          orgs: { acme: { budgets: { usd_per_day: 5 }, key_budgets: { usd_total: 1, on_exceed: "warn" }, models: { m: null } } },
        };
        await writeConfig(db, (tx) => replaceConfig(tx, config, {}));
        const back = await readConfig(db.sql);
        expect(back.users.acme).toMatchObject({ budgets: { usd_per_day: 5 }, key_budgets: { usd_total: 1, on_exceed: "warn" } });
      } finally {
        await db.close();
      }
    }
  } finally {
    await pg.drop();
  }
});
