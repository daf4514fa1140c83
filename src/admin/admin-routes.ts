// The routes of the admin API: keys (list, create, revoke), the config, a model's backends, and an org's budgets.
import type { ConfigDatabase } from "../config/db/database";
import type { DbConfigSource } from "../config/db/source";
import { hintOf, insertKey, readConfig, replaceModelBackends } from "../config/db/repository";
import { hashApiKey, newApiKey } from "../engines";
import { readBody } from "../server";

/** A refused write: an HTTP status and a message (and the config problems, when validation refused it). */
export class AdminError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly problems?: string[],
  ) {
    super(message);
  }
}

/** A JSON answer the admin API sends (never cached). */
export const json = (status: number, body: unknown) => Response.json(body, { status, headers: { "cache-control": "no-store" } });

/** One admin route: method, path pattern, and its handler. */
export type AdminRoute = [string, RegExp, (req: Request, m: RegExpExecArray) => Promise<Response>];

/** What the routes need: the database, and a write that validates the whole config before it commits. */
export interface AdminRouteContext {
  db: ConfigDatabase;
  source: DbConfigSource;
  write(change: (tx: Bun.SQL) => Promise<void>): Promise<number>;
}

/** The admin routes. */
export function adminRoutes({ db, source, write }: AdminRouteContext): AdminRoute[] {
  return [
    ["GET", /^\/admin\/config$/, async () => json(200, { version: await source.version(), config: await readConfig(db.sql) })],
    [
      "GET",
      /^\/admin\/keys$/,
      async () => {
        const rows = await db.sql.unsafe(
          `SELECT key_hash, org, user_name, hint, created_at FROM octollm_api_keys WHERE revoked_at IS NULL ORDER BY org, user_name`,
        );
        return json(200, {
          keys: rows.map((r: Record<string, string>) => ({ id: keyId(r.key_hash!), org: r.org, user: r.user_name, hint: r.hint, created_at: r.created_at })),
        });
      },
    ],
    [
      "POST",
      /^\/admin\/keys$/,
      async (req) => {
        const body = await bodyOf(req);
        const org = nameField(body, "org"),
          user = nameField(body, "user");
        const key = newApiKey();
        const hash = hashApiKey(key);
        const version = await write(async (tx) => {
          const taken = await tx.unsafe(`SELECT 1 FROM octollm_api_keys WHERE org = $1 AND user_name = $2 AND revoked_at IS NULL`, [org, user]);
          if (taken.length) throw new AdminError(409, `${org}/${user} already has a key; revoke it first`);
          await insertKey(tx, org, user, hash, hintOf(key), new Date().toISOString());
        });
        return json(201, { id: keyId(hash), org, user, key, version, note: "the key is shown once; only its hash is stored" });
      },
    ],
    [
      "DELETE",
      /^\/admin\/keys\/([0-9a-f]{8,64})$/,
      async (_req, m) => {
        let revoked: Record<string, string> | undefined;
        const version = await write(async (tx) => {
          const rows = await tx.unsafe(`SELECT key_hash, org, user_name FROM octollm_api_keys WHERE revoked_at IS NULL AND key_hash LIKE $1`, [
            `sha256:${m[1]}%`,
          ]);
          if (rows.length === 0) throw new AdminError(404, `no active key with id ${m[1]}`);
          if (rows.length > 1) throw new AdminError(409, `id ${m[1]} matches ${rows.length} keys; give more of it`);
          revoked = rows[0];
          await tx.unsafe(`UPDATE octollm_api_keys SET revoked_at = $1 WHERE key_hash = $2`, [new Date().toISOString(), revoked!.key_hash]);
        });
        return json(200, { revoked: keyId(revoked!.key_hash!), org: revoked!.org, user: revoked!.user_name, version });
      },
    ],
    [
      "GET",
      /^\/admin\/models$/,
      async () => {
        const config = await readConfig(db.sql);
        return json(200, {
          models: Object.fromEntries(Object.entries<Record<string, unknown>>(config.models).map(([name, def]) => [name, { backends: def.backends }])),
        });
      },
    ],
    [
      "PUT",
      /^\/admin\/models\/([^/]+)\/backends$/,
      async (req, m) => {
        const model = pathName(m[1]!);
        const body = await bodyOf(req);
        if (!body.backends || typeof body.backends !== "object" || Array.isArray(body.backends))
          throw new AdminError(400, `expected {"backends": {"default:<weight>": {...}, ...}}`);
        const version = await write(async (tx) => {
          const known = await tx.unsafe(`SELECT 1 FROM octollm_models WHERE name = $1`, [model]);
          if (known.length === 0) throw new AdminError(404, `unknown model ${model}`);
          await replaceModelBackends(tx, model, body.backends);
        });
        return json(200, { model, version });
      },
    ],
    ["PUT", /^\/admin\/orgs\/([^/]+)\/budgets$/, (req, m) => putOrgBudgets(write, req, pathName(m[1]!))],
  ];
}

/** Sets or removes (null) an org's budgets and key budgets; the whole config is validated before the write commits. */
async function putOrgBudgets(write: AdminRouteContext["write"], req: Request, org: string): Promise<Response> {
  const body = await bodyOf(req);
  const keys = Object.keys(body);
  if (!keys.length || keys.some((k) => k !== "budgets" && k !== "key_budgets"))
    throw new AdminError(400, `expected {"budgets": {...} | null, "key_budgets": {...} | null} (either or both; null removes it)`);
  const version = await write(async (tx) => {
    const [row] = await tx.unsafe(`SELECT settings FROM octollm_orgs WHERE name = $1`, [org]);
    if (!row) throw new AdminError(404, `unknown org ${org}`);
    const settings: Record<string, unknown> = row.settings === null ? {} : JSON.parse(row.settings);
    for (const k of keys) {
      if (body[k] === null) delete settings[k];
      else settings[k] = body[k];
    }
    await tx.unsafe(`UPDATE octollm_orgs SET settings = $1 WHERE name = $2`, [Object.keys(settings).length ? JSON.stringify(settings) : null, org]);
  });
  return json(200, { org, version });
}

/** A name from the path, percent-decoded; a malformed escape is the client's mistake (400). */
function pathName(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new AdminError(400, "the path holds a malformed percent escape");
  }
}

/** A key's public id: the start of its hash. */
function keyId(hash: string): string {
  return hash.slice("sha256:".length, "sha256:".length + 16);
}

/** Largest admin request body (a model's backends are a few KB). */
const MAX_ADMIN_BODY = 1 << 20;

async function bodyOf(req: Request): Promise<Record<string, any>> {
  let bytes: Uint8Array;
  try {
    bytes = await readBody(req, MAX_ADMIN_BODY, 10_000);
  } catch (err) {
    throw new AdminError((err as { status?: number }).status ?? 400, (err as Error).message);
  }
  try {
    const body = JSON.parse(new TextDecoder().decode(bytes));
    if (body && typeof body === "object" && !Array.isArray(body)) return body;
  } catch {
    // reported below
  }
  throw new AdminError(400, "the body must be a JSON object");
}

function nameField(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== "string" || !/^[A-Za-z0-9_.@-]{1,128}$/.test(value))
    throw new AdminError(400, `"${field}" must be a name of letters, digits, _ . @ or - (at most 128)`);
  return value;
}
