// The database schema, as numbered migrations applied at start (in one transaction each; PostgreSQL takes an
// advisory lock so instances starting together apply them once). The SQL is common to SQLite and PostgreSQL.
// Entities and their relations are tables; value objects (rewrites, limits, moderation) are JSON text columns.
import type { ConfigDatabase } from "./database";

/** One schema change. */
interface Migration {
  id: number;
  name: string;
  statements: string[];
}

const MIGRATIONS: Migration[] = [
  {
    id: 1,
    name: "configuration tables",
    statements: [
      `CREATE TABLE IF NOT EXISTS octollm_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
      `CREATE TABLE IF NOT EXISTS octollm_server (id INTEGER PRIMARY KEY CHECK (id = 1), settings TEXT NOT NULL)`,
      `CREATE TABLE IF NOT EXISTS octollm_backends (name TEXT PRIMARY KEY, position INTEGER NOT NULL, settings TEXT NOT NULL)`,
      `CREATE TABLE IF NOT EXISTS octollm_models (
        name TEXT PRIMARY KEY, position INTEGER NOT NULL, access TEXT,
        default_org_limits TEXT, moderation TEXT, settings TEXT NOT NULL)`,
      `CREATE TABLE IF NOT EXISTS octollm_model_backends (
        model TEXT NOT NULL REFERENCES octollm_models(name) ON DELETE CASCADE, name TEXT NOT NULL,
        position INTEGER NOT NULL, settings TEXT NOT NULL, PRIMARY KEY (model, name))`,
      `CREATE TABLE IF NOT EXISTS octollm_orgs (name TEXT PRIMARY KEY, position INTEGER NOT NULL, key_limits TEXT)`,
      `CREATE TABLE IF NOT EXISTS octollm_org_models (
        org TEXT NOT NULL REFERENCES octollm_orgs(name) ON DELETE CASCADE, model TEXT NOT NULL, position INTEGER NOT NULL,
        org_limits TEXT, moderation TEXT, settings TEXT NOT NULL, PRIMARY KEY (org, model))`,
      `CREATE TABLE IF NOT EXISTS octollm_rules (
        model TEXT NOT NULL, org TEXT NOT NULL, position INTEGER NOT NULL, name TEXT NOT NULL, match_expr TEXT,
        rule_limits TEXT, settings TEXT NOT NULL, PRIMARY KEY (model, org, position))`,
      `CREATE TABLE IF NOT EXISTS octollm_api_keys (
        key_hash TEXT PRIMARY KEY, org TEXT NOT NULL REFERENCES octollm_orgs(name) ON DELETE CASCADE, user_name TEXT NOT NULL,
        hint TEXT NOT NULL, created_at TEXT NOT NULL, revoked_at TEXT)`,
      `CREATE UNIQUE INDEX IF NOT EXISTS octollm_api_keys_active ON octollm_api_keys (org, user_name) WHERE revoked_at IS NULL`,
      `INSERT INTO octollm_meta (key, value) VALUES ('version', '0') ON CONFLICT (key) DO NOTHING`,
    ],
  },
  {
    id: 2,
    name: "org settings (budgets, key budgets)",
    statements: [`ALTER TABLE octollm_orgs ADD COLUMN settings TEXT`],
  },
];

/** The newest schema version this build knows. */
export const SCHEMA_VERSION = MIGRATIONS.at(-1)!.id;

/** Applies the migrations the database does not have yet. */
export async function migrate(db: ConfigDatabase): Promise<void> {
  await db.sql.unsafe(`CREATE TABLE IF NOT EXISTS octollm_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  await db.sql.begin(async (tx) => {
    if (db.kind === "postgres") await tx.unsafe(`SELECT pg_advisory_xact_lock(7310422)`);
    const done = new Set<number>((await tx.unsafe(`SELECT id FROM octollm_migrations`)).map((r: { id: number }) => Number(r.id)));
    const newest = Math.max(0, ...done);
    if (newest > SCHEMA_VERSION) throw new Error(`the database has schema version ${newest}, newer than this octollm (${SCHEMA_VERSION}); upgrade octollm`);
    for (const m of MIGRATIONS) {
      if (done.has(m.id)) continue;
      for (const statement of m.statements) await tx.unsafe(statement);
      await tx.unsafe(`INSERT INTO octollm_migrations (id, name, applied_at) VALUES ($1, $2, $3)`, [m.id, m.name, new Date().toISOString()]);
    }
  });
}
