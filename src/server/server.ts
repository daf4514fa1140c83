// The HTTP server: the only code that touches Bun.serve, Request and Response.
import { GatewayError, LazyBody, looksLikeJsonObject, protocolOf, toGatewayError, type ApiFormat, type Engine, type Protocol, type RequestContext } from "../core";
import { anthropicModelList } from "../protocols/anthropic";
import { openaiModelList } from "../protocols/openai";
import { AccessLog } from "./access-log";
import { readBody } from "./body-reader";
import { nextRequestId } from "./request-id";
import { engineResponse, errorResponse, jsonResponse, type Exchange } from "./respond";

/** What the server serves: the root engine and the model list, swappable as a whole. */
export interface GatewayState {
  root: Engine;
  /** The model names the caller of these request headers may use (GET /v1/models). */
  listModels(headers: Headers): string[];
}

/** Server settings. */
export interface ServerOptions {
  host: string;
  port: number;
  maxBodyBytes: number;
  /** Bodies up to this size are parsed in full on arrival (default 65536). */
  jsonCheckMaxBytes?: number;
  accessLog?: AccessLog;
  version?: string;
}

type Server = Bun.Server<undefined>;

/** Starts the gateway's HTTP server; `state()` is read per request, so a new config applies to new requests only. */
export function startServer(state: () => GatewayState, opts: ServerOptions): Server {
  const log = opts.accessLog ?? new AccessLog();
  const startedAt = new Date();
  const jsonCheckMaxBytes = opts.jsonCheckMaxBytes ?? 65536;

  const exchange = (req: Request, protocol: Protocol, path: string, bytesIn = 0): Exchange => ({
    ctx: newContext(), protocol, method: req.method, path, bytesIn, log,
  });

  async function llm(format: ApiFormat, req: Request, server: Server): Promise<Response> {
    const path = pathOf(req.url);
    const x = exchange(req, protocolOf(format), path);
    if (req.method !== "POST") return errorResponse(x, methodNotAllowed(req.method, "POST"));
    server.timeout(req, 0); // LLM calls may be silent for minutes; never cut them
    try {
      const bytes = await readBody(req, opts.maxBodyBytes);
      x.bytesIn = bytes.byteLength;
      if (!looksLikeJsonObject(bytes)) throw new GatewayError("invalid_request", "request body must be a JSON object");
      const body = LazyBody.fromBytes(bytes);
      if (bytes.byteLength <= jsonCheckMaxBytes) body.json(); // cached; the original bytes are still what is forwarded
      const res = await state().root.process({ format, path, headers: req.headers, body, signal: req.signal, ctx: x.ctx });
      return await engineResponse(x, res);
    } catch (err) {
      return errorResponse(x, toGatewayError(err));
    }
  }

  const info = (req: Request) => {
    const x = exchange(req, guessProtocol(req), pathOf(req.url));
    if (req.method !== "GET" && req.method !== "HEAD") return errorResponse(x, methodNotAllowed(req.method, "GET, HEAD"));
    return jsonResponse(x, req.method === "HEAD" ? null : { name: "octollm", version: opts.version, status: "ok" });
  };

  const models = (req: Request) => {
    const protocol = guessProtocol(req);
    const x = exchange(req, protocol, pathOf(req.url));
    if (req.method !== "GET") return errorResponse(x, methodNotAllowed(req.method, "GET"));
    const ids = state().listModels(req.headers);
    const body = protocol === "anthropic" ? anthropicModelList(ids, startedAt) : openaiModelList(ids, startedAt);
    return jsonResponse(x, body);
  };

  return Bun.serve({
    hostname: opts.host,
    port: opts.port,
    development: false,
    idleTimeout: 120,
    maxRequestBodySize: Number.MAX_SAFE_INTEGER,
    routes: {
      "/v1/chat/completions": (req, server) => llm("openai.chat", req, server),
      "/v1/messages": (req, server) => llm("anthropic.messages", req, server),
      "/v1/messages/count_tokens": (req, server) => llm("anthropic.count_tokens", req, server),
      "/v1/models": models,
      "/": info,
      "/healthz": info,
    },
    fetch(req) {
      const path = pathOf(req.url);
      return errorResponse(exchange(req, guessProtocol(req), path), new GatewayError("not_found", `no route for ${req.method} ${path.split("?")[0]}`));
    },
    error(err) {
      return new Response(JSON.stringify({ error: { message: `internal error: ${err.message}`, type: "server_error", param: null, code: null } }), {
        status: 500, headers: { "content-type": "application/json" },
      });
    },
  });
}

function newContext(): RequestContext {
  return { requestId: nextRequestId(), startedAt: performance.now(), tags: [] };
}

function methodNotAllowed(method: string, allow: string): GatewayError {
  return new GatewayError("method_not_allowed", `method ${method} is not allowed here (allowed: ${allow})`, { headers: { allow } });
}

/** Path and query of a request URL, without scheme and host. */
function pathOf(url: string): string {
  const slash = url.indexOf("/", url.indexOf("//") + 2);
  return slash < 0 ? "/" : url.slice(slash);
}

/** The protocol of a request that is not on an LLM route: Anthropic when it says so, else OpenAI. */
function guessProtocol(req: Request): Protocol {
  return req.headers.has("anthropic-version") || req.url.includes("/v1/messages") ? "anthropic" : "openai";
}
