// The Keys and orgs page: orgs with their keys and budgets. On a config database the page writes through the
// admin API (create and revoke keys, set budgets); a config file is read-only here (edit the file).
import { hintOf } from "../config/db/repository";
import type { DashboardContext } from "./context";

/** A key as listed: never the key itself, only its hint. */
interface ListedKey {
  id?: string;
  user: string;
  hint: string;
  created_at?: string;
}

/** The orgs, their keys and budgets, and whether this gateway can change them. */
export async function keysPage(ctx: DashboardContext) {
  const config = ctx.config();
  const keys = new Map<string, ListedKey[]>();
  const writable = ctx.mode === "database" && ctx.admin !== undefined && ctx.adminKey() !== undefined;
  if (writable) {
    const res = await forward(ctx, "GET", "/admin/keys");
    const listed = ((await res.json()) as { keys?: { id: string; org: string; user: string; hint: string; created_at: string }[] }).keys ?? [];
    for (const k of listed) keys.set(k.org, [...(keys.get(k.org) ?? []), { id: k.id, user: k.user, hint: k.hint, created_at: k.created_at }]);
  } else {
    for (const [org, def] of Object.entries(config.users))
      keys.set(
        org,
        Object.entries(def.api_keys ?? {}).map(([user, key]) => ({ user, hint: hintOf(key) })),
      );
  }
  const orgs = Object.entries(config.users).map(([name, def]) => ({
    name,
    models: Object.keys(def.models),
    budgets: def.budgets ?? null,
    key_budgets: def.key_budgets ?? null,
    keys: keys.get(name) ?? [],
  }));
  return { mode: ctx.mode, writable, orgs };
}

/** Calls the admin API with the admin key, as the signed-in admin. */
export function forward(ctx: DashboardContext, method: string, path: string, body?: unknown): Promise<Response> {
  const req = new Request(`http://gateway${path}`, {
    method,
    headers: { authorization: `Bearer ${ctx.adminKey()}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return ctx.admin!(req);
}

/** The write routes (POST keys, DELETE keys/<id>, PUT orgs/<org>/budgets), forwarded to the admin API; a refusal in file mode. */
export async function writeApi(ctx: DashboardContext, method: string, path: string, req: Request): Promise<Response> {
  const target =
    (method === "POST" && path === "keys" && "/admin/keys") ||
    (method === "DELETE" && /^keys\/[0-9a-f]{8,64}$/.test(path) && `/admin/${path}`) ||
    (method === "PUT" && /^orgs\/[^/]{1,128}\/budgets$/.test(path) && `/admin/${path}`);
  if (!target) return Response.json({ error: { message: `no dashboard API ${method} ${path}` } }, { status: 404 });
  if (ctx.mode !== "database" || !ctx.admin || !ctx.adminKey())
    return Response.json(
      { error: { message: "keys and budgets are read-only here: this gateway reads a config file (edit it), or has no admin key" } },
      { status: 409 },
    );
  let body: unknown;
  if (method !== "DELETE") {
    const text = await req.text();
    if (text.length > 65_536) return Response.json({ error: { message: "body too large" } }, { status: 413 });
    try {
      body = JSON.parse(text);
    } catch {
      return Response.json({ error: { message: "the body is not JSON" } }, { status: 400 });
    }
  }
  return forward(ctx, method, target, body);
}
