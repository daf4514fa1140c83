// Reads and writes the whole configuration as rows. The value read back has the shape of a YAML config
// (the same schema validates both); `${VAR}` references are stored as written, so secrets stay in the
// environment, and API keys are stored as SHA-256 hashes. Every write bumps the version row in the same
// transaction, and on PostgreSQL notifies the instances that listen.
import type { SQL } from "bun";
import { hashApiKey, isHashedKey } from "../../engines";
import { interpolate } from "../env";
import type { ConfigDatabase } from "./database";

type Raw = Record<string, any>;
type Tx = SQL;

/** The PostgreSQL channel a new config version is announced on (payload: the version). */
export const CHANGE_CHANNEL = "octollm_config";

const json = (value: unknown) => (value === undefined ? null : JSON.stringify(value));
const parse = (text: string | null) => (text === null || text === undefined ? undefined : JSON.parse(text));
const without = (obj: Raw | null | undefined, keys: string[]) => {
  if (obj === null || obj === undefined) return obj;
  const out = { ...obj };
  for (const k of keys) delete out[k];
  return out;
};

/** The configuration's version: bumped by every write. */
export async function configVersion(sql: SQL): Promise<number> {
  const rows = await sql.unsafe(`SELECT value FROM octollm_meta WHERE key = 'version'`);
  return Number(rows[0]?.value ?? 0);
}

/** Runs `change` in a transaction that also bumps the version (and announces it); returns the new version. */
export async function writeConfig(db: ConfigDatabase, change: (tx: Tx) => Promise<void>): Promise<number> {
  return db.sql.begin(async (tx) => {
    // the version row is taken first: concurrent writes (other requests, other instances) run one after another,
    // so each sees what the one before it committed (two creations for a new org do not both insert the org)
    const rows = await tx.unsafe(`UPDATE octollm_meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'version' RETURNING value`);
    const version = Number(rows[0].value);
    await change(tx);
    if (db.kind === "postgres") await tx.unsafe(`SELECT pg_notify($1, $2)`, [CHANGE_CHANNEL, String(version)]);
    return version;
  });
}

/** Replaces everything with a config value (an import). Plaintext API keys (after ${VAR}) are hashed here. */
export async function replaceConfig(tx: Tx, raw: Raw, env: Record<string, string | undefined>): Promise<void> {
  for (const table of [
    "octollm_api_keys",
    "octollm_rules",
    "octollm_org_models",
    "octollm_orgs",
    "octollm_model_backends",
    "octollm_models",
    "octollm_backends",
    "octollm_server",
  ]) {
    await tx.unsafe(`DELETE FROM ${table}`);
  }
  await tx.unsafe(`INSERT INTO octollm_server (id, settings) VALUES (1, $1)`, [json(without(raw.server ?? {}, ["config_db"]))]);
  for (const [i, [name, def]] of Object.entries(raw.backends ?? {}).entries()) {
    await tx.unsafe(`INSERT INTO octollm_backends (name, position, settings) VALUES ($1, $2, $3)`, [name, i, json(def)]);
  }
  for (const [i, [name, def]] of Object.entries<Raw>(raw.models ?? {}).entries()) {
    await tx.unsafe(`INSERT INTO octollm_models (name, position, access, default_org_limits, moderation, settings) VALUES ($1, $2, $3, $4, $5, $6)`, [
      name,
      i,
      def.access ?? null,
      json(def.default_org_limits),
      json(def.moderation),
      json(without(def, ["access", "default_org_limits", "moderation", "backends", "default_rules"])),
    ]);
    await insertModelBackends(tx, name, def.backends ?? {});
    await insertRules(tx, name, "", def.default_rules ?? []);
  }
  const now = new Date().toISOString();
  for (const [i, [org, def]] of Object.entries<Raw>(raw.orgs ?? raw.users ?? {}).entries()) {
    const settings = without(def, ["api_keys", "key_limits", "models"]) ?? {}; // budgets, key_budgets
    await tx.unsafe(`INSERT INTO octollm_orgs (name, position, key_limits, settings) VALUES ($1, $2, $3, $4)`, [
      org,
      i,
      json(def.key_limits),
      Object.keys(settings).length ? json(settings) : null,
    ]);
    for (const [j, [model, entry]] of Object.entries<Raw | null>(def.models ?? {}).entries()) {
      await tx.unsafe(`INSERT INTO octollm_org_models (org, model, position, org_limits, moderation, settings) VALUES ($1, $2, $3, $4, $5, $6)`, [
        org,
        model,
        j,
        json(entry?.org_limits),
        json(entry?.moderation),
        json(without(entry, ["org_limits", "moderation", "rules"]) ?? null),
      ]);
      await insertRules(tx, model, org, entry?.rules ?? []);
    }
    for (const [user, key] of Object.entries<string>(def.api_keys ?? {})) {
      const plain = interpolate(String(key), env, []);
      await insertKey(tx, org, user, isHashedKey(plain) ? plain : hashApiKey(plain), isHashedKey(plain) ? "" : hintOf(plain), now);
    }
  }
}

/** Replaces a model's backends (the admin API's weights and backends change). */
export async function replaceModelBackends(tx: Tx, model: string, backends: Raw): Promise<void> {
  await tx.unsafe(`DELETE FROM octollm_model_backends WHERE model = $1`, [model]);
  await insertModelBackends(tx, model, backends);
}

async function insertModelBackends(tx: Tx, model: string, backends: Raw): Promise<void> {
  for (const [i, [name, def]] of Object.entries(backends).entries()) {
    await tx.unsafe(`INSERT INTO octollm_model_backends (model, name, position, settings) VALUES ($1, $2, $3, $4)`, [model, name, i, json(def ?? {})]);
  }
}

async function insertRules(tx: Tx, model: string, org: string, rules: Raw[]): Promise<void> {
  for (const [i, rule] of rules.entries()) {
    await tx.unsafe(`INSERT INTO octollm_rules (model, org, position, name, match_expr, rule_limits, settings) VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
      model,
      org,
      i,
      rule.name,
      rule.match ?? null,
      json(rule.rule_limits),
      json(without(rule, ["name", "match", "rule_limits"])),
    ]);
  }
}

/** Stores a key's hash for org/user (the org is created when it does not exist). */
export async function insertKey(tx: Tx, org: string, user: string, keyHash: string, hint: string, createdAt: string): Promise<void> {
  await tx.unsafe(
    `INSERT INTO octollm_orgs (name, position, key_limits) VALUES ($1, (SELECT COALESCE(MAX(position), -1) + 1 FROM octollm_orgs), NULL) ON CONFLICT (name) DO NOTHING`,
    [org],
  );
  await tx.unsafe(`INSERT INTO octollm_api_keys (key_hash, org, user_name, hint, created_at) VALUES ($1, $2, $3, $4, $5)`, [
    keyHash,
    org,
    user,
    hint,
    createdAt,
  ]);
}

/**
 * Enough of a key to tell keys apart in a list, and never much of it: a generated key (sk-octo- and 32 random
 * characters) shows its prefix and last 4; any other key at most its last eighth (4 characters at most), so an
 * imported 20-character key shows 2.
 */
export function hintOf(key: string): string {
  if (/^sk-octo-[0-9A-Za-z]{32}$/.test(key)) return `sk-octo-…${key.slice(-4)}`;
  const n = Math.min(4, Math.floor(key.length / 8));
  return n ? `…${key.slice(-n)}` : "…";
}

/** Reads the whole configuration as a config value (the shape of a YAML file). */
export async function readConfig(sql: SQL): Promise<Raw> {
  const [server] = await sql.unsafe(`SELECT settings FROM octollm_server WHERE id = 1`);
  const backends = await sql.unsafe(`SELECT name, settings FROM octollm_backends ORDER BY position`);
  const models = await sql.unsafe(`SELECT name, access, default_org_limits, moderation, settings FROM octollm_models ORDER BY position`);
  const modelBackends = await sql.unsafe(`SELECT model, name, settings FROM octollm_model_backends ORDER BY model, position`);
  const rules = await sql.unsafe(`SELECT model, org, name, match_expr, rule_limits, settings FROM octollm_rules ORDER BY model, org, position`);
  const orgs = await sql.unsafe(`SELECT name, key_limits, settings FROM octollm_orgs ORDER BY position`);
  const orgModels = await sql.unsafe(`SELECT org, model, org_limits, moderation, settings FROM octollm_org_models ORDER BY org, position`);
  const keys = await sql.unsafe(`SELECT key_hash, org, user_name FROM octollm_api_keys WHERE revoked_at IS NULL ORDER BY created_at, user_name`);

  const rulesOf = (model: string, org: string) =>
    rules
      .filter((r: Raw) => r.model === model && r.org === org)
      .map((r: Raw) => ({
        name: r.name,
        ...(r.match_expr !== null ? { match: r.match_expr } : {}),
        ...parse(r.settings),
        ...(r.rule_limits !== null ? { rule_limits: parse(r.rule_limits) } : {}),
      }));
  const out: Raw = {};
  const serverSettings = server ? parse(server.settings) : undefined;
  if (serverSettings && Object.keys(serverSettings).length) out.server = serverSettings;
  if (backends.length) out.backends = Object.fromEntries(backends.map((b: Raw) => [b.name, parse(b.settings)]));
  out.models = {};
  for (const m of models) {
    const def: Raw = {};
    if (m.access !== null) def.access = m.access;
    const defaults = rulesOf(m.name, "");
    if (defaults.length) def.default_rules = defaults;
    if (m.default_org_limits !== null) def.default_org_limits = parse(m.default_org_limits);
    if (m.moderation !== null) def.moderation = parse(m.moderation);
    Object.assign(def, parse(m.settings));
    def.backends = Object.fromEntries(modelBackends.filter((b: Raw) => b.model === m.name).map((b: Raw) => [b.name, parse(b.settings)]));
    out.models[m.name] = def;
  }
  if (orgs.length) {
    out.users = {};
    for (const o of orgs) {
      const def: Raw = {};
      const own = keys.filter((k: Raw) => k.org === o.name);
      if (own.length) def.api_keys = Object.fromEntries(own.map((k: Raw) => [k.user_name, k.key_hash]));
      if (o.key_limits !== null) def.key_limits = parse(o.key_limits);
      if (o.settings !== null) Object.assign(def, parse(o.settings));
      const entries = orgModels.filter((e: Raw) => e.org === o.name);
      if (entries.length) {
        def.models = Object.fromEntries(
          entries.map((e: Raw) => {
            const rest = parse(e.settings);
            const orgRules = rulesOf(e.model, o.name);
            if (rest === null && orgRules.length === 0 && e.org_limits === null && e.moderation === null) return [e.model, null];
            const entry: Raw = { ...(orgRules.length ? { rules: orgRules } : {}), ...rest };
            if (e.org_limits !== null) entry.org_limits = parse(e.org_limits);
            if (e.moderation !== null) entry.moderation = parse(e.moderation);
            return [e.model, entry];
          }),
        );
      }
      out.users[o.name] = def;
    }
  }
  return out;
}
