// The dashboard's JSON API (/admin/ui/api/…), behind its login: every list and aggregate is computed here, and
// a request's detail is read only when its row is opened. Writes of keys and budgets go through the admin API.
import { backendsSnapshot, type LiveSnapshot } from "./api-live";
import type { DashboardContext } from "./context";
import { parseCursor, requestDetail, requestPage, sessionPage, spendByDay, type RequestFilter } from "./ledger-queries";
import { keysPage } from "./api-keys";
import { memoryRequest, memoryRequestPage, memorySessions } from "./memory-rows";

/** A JSON answer (never cached). */
export const apiJson = (status: number, body: unknown) => Response.json(body, { status, headers: { "cache-control": "no-store" } });
const refuse = (status: number, message: string) => apiJson(status, { error: { message } });

/** A text parameter: absent, or at most 256 characters. */
function textParam(q: URLSearchParams, name: string): string | undefined {
  const v = q.get(name);
  if (v === null || v === "") return undefined;
  if (v.length > 256) throw new RangeError(`${name} is longer than 256 characters`);
  return v;
}

/** A whole number of days in 1..366 (default `fallback`). */
function daysParam(q: URLSearchParams, fallback: number): number {
  const v = q.get("days");
  if (v === null) return fallback;
  if (!/^\d{1,3}$/.test(v) || Number(v) < 1 || Number(v) > 366) throw new RangeError("days must be a whole number from 1 to 366");
  return Number(v);
}

/** A time in ms since 1970 (absent: undefined). */
function timeParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === "") return undefined;
  if (!/^\d{1,15}$/.test(v)) throw new RangeError(`${name} must be a time in milliseconds since 1970`);
  return Number(v);
}

/** A page size in 1..200 (default 50). */
function limitParam(q: URLSearchParams): number {
  const v = q.get("limit");
  if (v === null) return 50;
  if (!/^\d{1,3}$/.test(v) || Number(v) < 1 || Number(v) > 200) throw new RangeError("limit must be a whole number from 1 to 200");
  return Number(v);
}

/** A cursor parameter, or a refusal when it is given and malformed. */
function cursorParam(q: URLSearchParams): { ts: number; rid: string } | undefined {
  const text = q.get("before");
  if (!text) return undefined;
  const cursor = parseCursor(text);
  if (!cursor) throw new RangeError("before is not a cursor this API gave");
  return cursor;
}

/** The read routes: path (after /admin/ui/api/) to handler. */
export function readRoutes(
  ctx: DashboardContext,
  live: () => Promise<LiveSnapshot>,
): [RegExp, (q: URLSearchParams, m: RegExpExecArray) => Promise<Response>][] {
  return [
    [/^live$/, async () => apiJson(200, await live())],
    [/^backends$/, async () => apiJson(200, backendsSnapshot(ctx))],
    [
      /^requests$/,
      async (q) => {
        const ledger = ctx.ledger();
        const status = q.get("status");
        if (status !== null && status !== "" && status !== "ok" && status !== "error") throw new RangeError("status must be ok or error");
        const key = textParam(q, "key");
        const filter: RequestFilter = {
          org: textParam(q, "org") ?? (key?.includes("/") ? key.slice(0, key.indexOf("/")) : undefined),
          user: key?.includes("/") ? key.slice(key.indexOf("/") + 1) : key,
          model: textParam(q, "model"),
          backend: textParam(q, "backend"),
          session: textParam(q, "session"),
          status: (status || undefined) as RequestFilter["status"],
          before: cursorParam(q),
          fromMs: timeParam(q, "from_ms"),
          toMs: timeParam(q, "to_ms"),
          limit: limitParam(q),
        };
        return apiJson(200, ledger ? await requestPage(await ledger.sql(), filter) : memoryRequestPage(ctx.live, filter));
      },
    ],
    [
      /^requests\/([^/]{1,256})$/,
      async (_q, m) => {
        const ledger = ctx.ledger();
        const rid = decodeURIComponent(m[1]!);
        const row = ledger ? await requestDetail(await ledger.sql(), rid) : memoryRequest(ctx.live, rid);
        return row
          ? apiJson(200, row)
          : refuse(404, "no such request in the ledger (rows are kept for server.usage_retention_days; without a ledger, the last 8 192 requests)");
      },
    ],
    [
      /^spend$/,
      async (q) => {
        const ledger = ctx.ledger();
        const days = daysParam(q, 30);
        const since = new Date(Date.now() - (days - 1) * 86_400_000).toISOString().slice(0, 10);
        const budgets = await ctx
          .current()
          .everyBudgetStatus()
          .catch(() => null);
        const rows = ledger ? await spendByDay(await ledger.sql(), since, q.get("by") ?? "model") : null;
        return apiJson(200, { since, by: q.get("by") ?? "model", rows, budgets, ledger: Boolean(ledger) });
      },
    ],
    [
      /^sessions$/,
      async (q) => {
        const ledger = ctx.ledger();
        const from = Date.now() - daysParam(q, 7) * 86_400_000;
        if (!ledger) return apiJson(200, memorySessions(ctx.live, limitParam(q)));
        return apiJson(200, await sessionPage(await ledger.sql(), from, limitParam(q), cursorParam(q)));
      },
    ],
    [/^keys$/, async () => apiJson(200, await keysPage(ctx))],
  ];
}

/** Answers the GETs of the API. */
export function makeReadApi(ctx: DashboardContext, live: () => Promise<LiveSnapshot>): (path: string, q: URLSearchParams) => Promise<Response> {
  const routes = readRoutes(ctx, live);
  return (path, q) => readApi(routes, path, q);
}

async function readApi(routes: ReturnType<typeof readRoutes>, path: string, q: URLSearchParams): Promise<Response> {
  for (const [re, handler] of routes) {
    const m = re.exec(path);
    if (!m) continue;
    try {
      return await handler(q, m);
    } catch (err) {
      if (err instanceof RangeError || err instanceof URIError) return refuse(400, err.message);
      return refuse(503, `the dashboard could not read its data: ${(err as Error).message}`);
    }
  }
  return refuse(404, `no dashboard API ${path}`);
}
