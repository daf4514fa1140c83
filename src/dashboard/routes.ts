// /admin/ui: the dashboard's page and assets, its login (admin key, or a one-time link on loopback when no admin
// key is set), and its API behind a session cookie, with a CSRF token on every write and the admin throttle on logins.
import { createHash } from "node:crypto";
import type { AuthThrottle } from "../admin";
import { apiJson, makeReadApi } from "./api";
import { sharedLiveSnapshot } from "./api-live";
import { writeApi } from "./api-keys";
import type { UiAssets } from "./assets";
import type { DashboardContext } from "./context";
import { isLoopback, sameSecret } from "../core";
import { sameOrigin, secured } from "./security";
import { SESSION_COOKIE, cookieOf, sessionCookie, type SessionStore, type UiSession, type UiSessions } from "./sessions";
import { liveStream } from "./stream";

type Server = { requestIP(req: Request): { address: string } | null };

/** What the dashboard's routes need besides the gateway. */
export interface DashboardOptions {
  /** Where sessions live (memory, or the config database of a fleet). */
  store: SessionStore;
  /** One-time login links (this process's memory). */
  sessions: UiSessions;
  throttle: AuthThrottle;
  assets: UiAssets;
  /** Served over HTTPS (the cookie is then Secure). */
  secure: boolean;
  /** The gateway listens on a loopback address only (one-time login links are honoured only then). */
  loopback(): boolean;
}

/** The handler of /admin/ui and everything under it. */
export function dashboardRoute(ctx: DashboardContext, opts: DashboardOptions): (req: Request, server?: Server) => Promise<Response> {
  const live = sharedLiveSnapshot(ctx);
  const readApi = makeReadApi(ctx, live);
  const keyPrint = () => {
    const key = ctx.adminKey();
    return key ? createHash("sha256").update(key).digest("hex") : "link";
  };
  const sessionOf = async (req: Request) => opts.store.get(cookieOf(req, SESSION_COOKIE), keyPrint());
  const enabled = () => ctx.adminKey() !== undefined || opts.loopback();

  const api = async (req: Request, path: string, server?: Server): Promise<Response> => {
    if (path === "login" && req.method === "POST") return login(req, server);
    const session = await sessionOf(req);
    if (!session && path === "session" && req.method === "GET") return apiJson(200, { signed_in: false }); // the app's first question: no error to log
    if (!session) return apiJson(401, { error: { message: "not signed in (or the session ended)" } });
    if (req.method === "GET") {
      if (path === "session") return apiJson(200, whoami(ctx, session));
      if (path === "live/stream") return liveStream(live, async () => (await sessionOf(req)) !== undefined, req.signal);
      return readApi(path, new URL(req.url).searchParams);
    }
    // every write: the session's CSRF token in x-csrf-token, from this gateway's own pages
    const token = req.headers.get("x-csrf-token");
    if (!token || !sameSecret(token, session.csrf) || !sameOrigin(req)) return apiJson(403, { error: { message: "CSRF check failed" } });
    if (path === "logout" && req.method === "POST") {
      await opts.store.end(session.id);
      return withCookie(apiJson(200, { signed_out: true }), "", opts.secure);
    }
    return writeApi(ctx, req.method, path, req);
  };

  const login = async (req: Request, server?: Server): Promise<Response> => {
    const address = server?.requestIP(req)?.address ?? "unknown";
    const wait = opts.throttle.blockedFor(address);
    if (wait > 0) return apiJson(429, { error: { message: "too many failed sign-ins from this address; try again later" } });
    if (!sameOrigin(req)) return apiJson(403, { error: { message: "sign in from the dashboard's own page" } });
    const key = ctx.adminKey();
    if (!key) return apiJson(409, { error: { message: "no admin key is set: open the one-time link the gateway printed at start" } });
    const text = await req.text();
    let given: unknown;
    try {
      given = text.length <= 4096 ? (JSON.parse(text) as { key?: unknown }).key : undefined;
    } catch {
      given = undefined;
    }
    if (typeof given !== "string" || !sameSecret(given, key)) {
      opts.throttle.failed(address);
      return apiJson(401, { error: { message: "that is not the admin key" } });
    }
    const session = await opts.store.open(keyPrint());
    return withCookie(apiJson(200, whoami(ctx, session)), session.id, opts.secure);
  };

  /** GET /admin/ui/login?token=…: a one-time link opens a session and leaves the token out of the address bar. */
  const linkLogin = async (req: Request, server?: Server): Promise<Response> => {
    const token = new URL(req.url).searchParams.get("token") ?? "";
    const fromLoopback = !server || isLoopback(server.requestIP(req)?.address);
    if (ctx.adminKey() !== undefined || !opts.loopback() || !fromLoopback || !token || !opts.sessions.redeem(token))
      return new Response("This login link is not valid (each link works once). Sign in with the admin key, or restart the gateway for a new link.\n", {
        status: 403,
        headers: { "content-type": "text/plain; charset=utf-8" },
      });
    const session = await opts.store.open(keyPrint());
    return withCookie(new Response(null, { status: 303, headers: { location: "/admin/ui/" } }), session.id, opts.secure);
  };

  return async (req, server) => {
    const path = new URL(req.url).pathname;
    if (!enabled()) return new Response("The dashboard needs server.admin_key (or a loopback address).\n", { status: 404 });
    if (path.startsWith("/admin/ui/api/")) return secured(await api(req, path.slice("/admin/ui/api/".length), server));
    if (req.method !== "GET" && req.method !== "HEAD") return new Response(null, { status: 405, headers: { allow: "GET, HEAD" } });
    if (path === "/admin/ui/login") return secured(await linkLogin(req, server));
    if (path.startsWith("/admin/ui/assets/")) return secured(await opts.assets.serve(path.slice("/admin/ui/assets/".length), req));
    return secured(await opts.assets.serve("index.html", req)); // every page of the app
  };
}

/** What the signed-in browser learns: its CSRF token and what this gateway offers. */
function whoami(ctx: DashboardContext, session: UiSession) {
  return {
    signed_in: true,
    csrf: session.csrf,
    mode: ctx.mode,
    writable: ctx.mode === "database" && ctx.admin !== undefined && ctx.adminKey() !== undefined,
    ledger: ctx.ledger() !== undefined,
  };
}

function withCookie(res: Response, id: string, secure: boolean): Response {
  res.headers.append("set-cookie", sessionCookie(id, secure));
  return res;
}
