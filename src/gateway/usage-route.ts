// GET /v1/usage: an org's key reads its own org's spend (from the usage ledger) and what its budgets have left.
// No admin key: a caller sees only its own org.
import type { BuiltGateway } from "../config";
import { adminRefusal, type AuthThrottle } from "../admin";
import { keyCheck, type Route } from "../server";
import type { UsageLedger } from "./ledger";

const json = (status: number, body: object) => Response.json(body, { status, headers: { "cache-control": "no-store" } });

/** The handler; `ledger` is read when a request comes (it opens after the routes are made). */
export function usageRoute(current: () => BuiltGateway, ledger: () => UsageLedger | undefined): (req: Request) => Promise<Response> {
  return async (req) => {
    if (req.method !== "GET") return new Response(null, { status: 405, headers: { allow: "GET" } });
    const caller = current().identify(req.headers);
    if (!caller)
      return json(401, {
        error: { message: "GET /v1/usage needs one of your org's API keys", type: "invalid_request_error", param: null, code: "invalid_api_key" },
      });
    const m = /^(\d{1,4})d$/.exec(new URL(req.url).searchParams.get("since") ?? "30d");
    if (!m) return json(400, { error: { message: "since must be a number of days, like 30d", type: "invalid_request_error", param: "since", code: null } });
    const since = new Date(Date.now() - Number(m[1]) * 86_400_000).toISOString().slice(0, 10);
    const l = ledger();
    const models = l ? await l.orgUsage(caller.org, since).catch(() => undefined) : undefined;
    const sum = (k: string) => (models ?? []).reduce((n, r) => n + Number(r[k]), 0);
    const total = models && { requests: sum("requests"), cost_usd: sum("cost_usd") };
    const budgets = await current()
      .budgetStatus(caller)
      .catch(() => undefined);
    return json(200, { object: "usage", org: caller.org, since, models: models ?? null, total: total ?? null, budgets: budgets ?? null });
  };
}

/** GET /admin/usage[?since=7d&by=org|key|model|backend|day]: the ledger's report, for the admin key only. */
export function adminUsageRoute(adminKey: () => string | undefined, ledger: () => UsageLedger | undefined, throttle: AuthThrottle): Route {
  return async (req, server) => {
    const key = adminKey();
    const refused = adminRefusal(throttle, key ? keyCheck(key) : undefined, req, server); // the same gate as every /admin route
    if (refused) return refused;
    if (req.method !== "GET") return new Response(null, { status: 405, headers: { allow: "GET" } });
    const l = ledger();
    if (!l) return json(404, { error: { message: "no usage ledger: set server.usage_db", type: "invalid_request_error", param: null, code: "not_found" } });
    const q = new URL(req.url).searchParams;
    try {
      return json(200, { object: "usage_report", rows: await l.report(q.get("since") ?? "7d", q.get("by") ?? "org") });
    } catch (err) {
      return json(400, { error: { message: (err as Error).message.replace(/^--/, ""), type: "invalid_request_error", param: null, code: null } });
    }
  };
}
