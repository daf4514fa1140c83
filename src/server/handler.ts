// The handler for one LLM endpoint: body limits, JSON check, request id, the engine, the response,
// the access log. The gateway's server mounts three of them; a library user can mount any engine
// on any path of their own Bun.serve.
import {
  GatewayError,
  LazyBody,
  looksLikeJsonObject,
  newRequestContext,
  protocolOf,
  toGatewayError,
  type ApiFormat,
  type Engine,
  type Protocol,
  type RequestContext,
} from "../core";
import { checkTokenFields, codecOf } from "../protocols";
import type { Tracer } from "../otel";
import { AccessLog } from "./access-log";
import { readBody } from "./body-reader";
import { nextRequestId } from "./request-id";
import { engineResponse, errorResponse, type Exchange } from "./respond";
import { sessionHeader } from "../engines/balancer/affinity";

/** Limits and logging of an LLM handler. */
export interface HandlerOptions {
  /** Largest request body accepted (default 32 MiB). */
  maxBodyBytes?: number;
  /** Bodies up to this size are parsed in full on arrival (default 65536). */
  jsonCheckMaxBytes?: number;
  /** Time a request body may take (plus 1 s per 256 KiB declared; a chunked body: longest pause) before a 408 (default 30 000; 0: none). */
  bodyTimeoutMs?: number;
  /** Where access-log lines go (default: stdout). */
  accessLog?: AccessLog;
  /** Traces each request (OpenTelemetry), when tracing is on. */
  tracer?: Tracer;
}

/** A Bun.serve route handler. */
export type RouteHandler = (req: Request, server?: Bun.Server<undefined>) => Promise<Response>;

/** A fresh request context. */
export function newContext(): RequestContext {
  return newRequestContext(nextRequestId());
}

/** A method-not-allowed error that names the allowed methods. */
export function methodNotAllowed(method: string, allow: string): GatewayError {
  return new GatewayError("method_not_allowed", `method ${method} is not allowed here (allowed: ${allow})`, { headers: { allow } });
}

/** Path and query of a request URL, without scheme and host. */
export function pathOf(url: string): string {
  const slash = url.indexOf("/", url.indexOf("//") + 2);
  return slash < 0 ? "/" : url.slice(slash);
}

/** The exchange record a handler keeps for the response and the access log. */
export function newExchange(req: Request, protocol: Protocol, log: AccessLog): Exchange {
  const x: Exchange = { ctx: newContext(), protocol, method: req.method, path: pathOf(req.url), bytesIn: 0, log };
  const session = attributionId(sessionHeader(req.headers));
  // a subagent: Claude Code's agent id, or the thread of an agent Codex spawned (it names its parent thread)
  const h = req.headers;
  const agent = attributionId(
    h.get("x-claude-code-agent-id") ?? (h.get("x-codex-parent-thread-id") ? (h.get("thread-id") ?? h.get("x-openai-subagent")) : null),
  );
  if (session) x.session = session;
  if (agent) x.agent = agent;
  return x;
}

/** An id a client sent for attribution: at most 128 printable characters, else nothing. */
function attributionId(value: string | null): string | undefined {
  if (!value) return undefined;
  const v = value.slice(0, 128);
  return /^[\x21-\x7e]+$/.test(v) ? v : undefined;
}

/** A handler that serves requests of `format` with `engine` (or with whatever engine the function returns now). */
export function llmHandler(format: ApiFormat, engine: Engine | (() => Engine), opts: HandlerOptions = {}): RouteHandler {
  const log = opts.accessLog ?? new AccessLog();
  const maxBodyBytes = opts.maxBodyBytes ?? 32 * 1024 * 1024;
  const jsonCheckMaxBytes = opts.jsonCheckMaxBytes ?? 65536;
  const bodyTimeoutMs = opts.bodyTimeoutMs ?? 30_000;
  const current = typeof engine === "function" ? engine : () => engine;
  const protocol = protocolOf(format);
  const clientAuth = codecOf(format).clientAuth;
  return async (req, server) => {
    const x = newExchange(req, protocol, log);
    x.format = format;
    if (opts.tracer) {
      x.tracer = opts.tracer;
      x.ctx.trace = opts.tracer.begin(req.headers);
    }
    let headers = req.headers;
    if (clientAuth) ({ headers, path: x.path } = clientAuth(req.headers, x.path)); // before anything logs the path
    if (req.method !== "POST") return errorResponse(x, methodNotAllowed(req.method, "POST"));
    server?.timeout(req, 0); // LLM calls may be silent for minutes; never cut them
    try {
      const bytes = await readBody(req, maxBodyBytes, bodyTimeoutMs);
      x.bytesIn = bytes.byteLength;
      if (!looksLikeJsonObject(bytes)) throw new GatewayError("invalid_request", "request body must be a JSON object");
      const body = LazyBody.fromBytes(bytes);
      body.checkKeys();
      if (bytes.byteLength <= jsonCheckMaxBytes) body.json(); // cached; the original bytes are still what is forwarded
      checkTokenFields(format, body);
      x.tracer?.request(x.ctx, format, body);
      const res = await current().process({ format, path: x.path, headers, body, signal: req.signal, ctx: x.ctx });
      return await engineResponse(x, res);
    } catch (err) {
      return errorResponse(x, toGatewayError(err));
    }
  };
}

/** A handler for OpenAI `/v1/chat/completions` requests. */
export const chatCompletionsHandler = (engine: Engine | (() => Engine), opts?: HandlerOptions) => llmHandler("openai.chat", engine, opts);

/** A handler for Anthropic `/v1/messages` requests. */
export const messagesHandler = (engine: Engine | (() => Engine), opts?: HandlerOptions) => llmHandler("anthropic.messages", engine, opts);
