// The HTTP server: the only code that touches Bun.serve, Request and Response.
import { GatewayError, type Engine, type ModelListing, type Protocol } from "../core";
import { allCodecs, familyCodec } from "../protocols";
import { codecRoutes } from "./codec-routes";
import { AccessLog } from "./access-log";
import { keyCheck } from "./key-check";
import { methodNotAllowed, newExchange, pathOf, type HandlerOptions } from "./handler";
import { errorResponse, jsonResponse } from "./respond";
import { responsesItemHandler } from "./responses-items";
import type { Tracer } from "../otel";

/** What the server serves: the root engine and the model list, swappable as a whole. */
export interface GatewayState {
  root: Engine;
  /** The models the caller of these request headers may use (GET /v1/models). */
  listModels(headers: Headers): ModelListing[];
  /** The model a stored response's id goes to (the Responses item endpoints; without it they are not served). */
  responseModel?(id: string, headers: Headers): Promise<string | undefined>;
}

/** Server settings. */
export interface ServerOptions {
  host: string;
  port: number;
  /** Serve HTTPS with this PEM certificate and key (file paths). */
  tls?: { certFile: string; keyFile: string };
  maxBodyBytes: number;
  /** Bodies up to this size are parsed in full on arrival (default 65536). */
  jsonCheckMaxBytes?: number;
  /** Time a request body may take (plus 1 s per 256 KiB declared; a chunked body: longest pause) before a 408 (default 30 000; 0: none). */
  bodyTimeoutMs?: number;
  /** When set, GET /metrics needs this key (Bearer or x-api-key). */
  metricsKey?: string;
  accessLog?: AccessLog;
  /** Traces LLM requests (OpenTelemetry), when tracing is on. */
  tracer?: Tracer;
  version?: string;
  /** The Prometheus text for GET /metrics (no route without it). */
  metrics?: () => string;
  /** Readiness for GET /readyz: each dependency's state (default: ready once serving). */
  ready?: () => Promise<ReadyReport>;
  /** More routes (Bun.serve route patterns), e.g. the admin API on "/admin/*". */
  extraRoutes?: Record<string, Route>;
}

type Server = Bun.Server<undefined>;

/** What /readyz reports: ready when every check is "ok". */
export interface ReadyReport {
  checks: Record<string, string>;
}

/** A route handler: the request and, when Bun serves it, the server (absent when a gateway's fetch() is called directly). */
export type Route = (req: Request, server?: Server) => Response | Promise<Response>;

/** The gateway's routes: Bun.serve route patterns (exact paths, or a prefix ending in "/*") to handlers, and the fallback. */
export interface GatewayRoutes {
  routes: Record<string, Route>;
  notFound: Route;
}

/** Builds the gateway's routes; `state()` is read per request, so a new config applies to new requests only. */
export function gatewayRoutes(state: () => GatewayState, opts: Omit<ServerOptions, "host" | "port">): GatewayRoutes {
  const log = opts.accessLog ?? new AccessLog();
  const startedAt = new Date();

  const handlerOpts: HandlerOptions = {
    maxBodyBytes: opts.maxBodyBytes,
    jsonCheckMaxBytes: opts.jsonCheckMaxBytes,
    bodyTimeoutMs: opts.bodyTimeoutMs,
    accessLog: log,
    tracer: opts.tracer,
  };
  const root = () => state().root;
  const info = (req: Request) => {
    const x = newExchange(req, guessProtocol(req), log);
    if (req.method !== "GET" && req.method !== "HEAD") return errorResponse(x, methodNotAllowed(req.method, "GET, HEAD"));
    return jsonResponse(x, req.method === "HEAD" ? null : { name: "octollm", version: opts.version, status: "ok" });
  };

  const models = (req: Request) => {
    const protocol = guessProtocol(req);
    const x = newExchange(req, protocol, log);
    if (req.method !== "GET") return errorResponse(x, methodNotAllowed(req.method, "GET"));
    const listed = state().listModels(req.headers);
    const body = familyCodec(protocol).modelList(listed, startedAt, new URL(req.url).searchParams);
    return jsonResponse(x, body);
  };

  const readyz = async (req: Request) => {
    if (req.method !== "GET" && req.method !== "HEAD") return new Response(null, { status: 405, headers: { allow: "GET, HEAD" } });
    const report = opts.ready ? await opts.ready() : { checks: {} };
    const ready = Object.values(report.checks).every((v) => v === "ok");
    return Response.json(
      { status: ready ? "ready" : "not ready", checks: { config: "ok", ...report.checks } },
      { status: ready ? 200 : 503, headers: { "cache-control": "no-store" } },
    );
  };
  const routes: Record<string, Route> = {
    // every API's client paths, from its codec
    ...codecRoutes(state, handlerOpts, log),
    ...Object.fromEntries(allCodecs().flatMap((c) => (c.listRoutes ?? []).map((p) => [p, models]))),
    "/v1/responses/*": responsesItemHandler(root, (id, headers) => state().responseModel?.(id, headers), log),
    "/v1/models": models,
    "/": info,
    "/healthz": info,
    "/readyz": readyz,
    ...opts.extraRoutes,
  };
  const metrics = opts.metrics;
  if (metrics) {
    const allowed = opts.metricsKey ? keyCheck(opts.metricsKey) : () => true;
    routes["/metrics"] = (req) => {
      if (req.method !== "GET") return new Response(null, { status: 405, headers: { allow: "GET" } });
      if (!allowed(req))
        return new Response("metrics need server.metrics_key (Bearer or x-api-key)\n", { status: 401, headers: { "www-authenticate": "Bearer" } });
      return new Response(metrics(), { headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" } });
    };
  }
  const notFound: Route = (req) => {
    const x = newExchange(req, guessProtocol(req), log);
    return errorResponse(x, new GatewayError("not_found", `no route for ${req.method} ${x.path.split("?")[0]}`, { code: "not_found" }));
  };
  return { routes, notFound };
}

/** One function that answers any request by the routes (what Bun.serve does with them), for use without a port. */
export function routeRequests({ routes, notFound }: GatewayRoutes): (req: Request, server?: Server) => Promise<Response> {
  const exact = new Map(Object.entries(routes).filter(([p]) => !p.endsWith("/*")));
  const prefixes = Object.entries(routes)
    .filter(([p]) => p.endsWith("/*"))
    .map(([p, r]) => [p.slice(0, -1), r] as const)
    .sort(([a], [b]) => b.length - a.length); // the longest prefix wins, as in Bun.serve
  return async (req, server) => {
    const path = new URL(req.url).pathname;
    const route = exact.get(path) ?? prefixes.find(([prefix]) => path.startsWith(prefix))?.[1] ?? notFound;
    try {
      return await route(req, server);
    } catch (err) {
      return internalError(err as Error);
    }
  };
}

function internalError(err: Error): Response {
  return new Response(JSON.stringify({ error: { message: `internal error: ${err.message}`, type: "server_error", param: null, code: null } }), {
    status: 500,
    headers: { "content-type": "application/json" },
  });
}

/** Starts the gateway's HTTP server on its routes. */
export function startServer(state: () => GatewayState, opts: ServerOptions): Server {
  const { routes, notFound } = gatewayRoutes(state, opts);
  return Bun.serve({
    hostname: opts.host,
    port: opts.port,
    development: false,
    reusePort: false, // a second gateway on the same port is an error, never a silent half of the traffic
    idleTimeout: 120,
    maxRequestBodySize: Number.MAX_SAFE_INTEGER,
    routes,
    fetch: notFound,
    error: internalError,
    ...(opts.tls ? { tls: { cert: Bun.file(opts.tls.certFile), key: Bun.file(opts.tls.keyFile) } } : {}),
  });
}

/** The protocol of a request that is not on an LLM route: the family of the API whose clients it looks like, else OpenAI. */
function guessProtocol(req: Request): Protocol {
  const path = pathOf(req.url);
  return allCodecs().find((c) => c.claims?.(req.headers, path))?.family ?? "openai";
}
