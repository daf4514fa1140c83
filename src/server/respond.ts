// Turns engine responses and gateway errors into HTTP responses, and logs each request once.
import {
  cacheSavingsUsd,
  costUsd,
  generatesTokens,
  type ApiFormat,
  type ErrorTail,
  type GatewayError,
  streamFailure,
  type AccessRecord,
  type LLMResponse,
  type Protocol,
  type ContextView,
  type RequestContext,
} from "../core";
import { bodyUsage, codecOf, familyCodec, type ApiCodec, type TokenUsage } from "../protocols";
import type { Tracer } from "../otel";
import type { AccessLog } from "./access-log";

const encoder = new TextEncoder();

/** What the server knows about a request when it answers. */
export interface Exchange {
  ctx: RequestContext;
  protocol: Protocol;
  /** The API the route serves (LLM routes only). */
  format?: ApiFormat;
  method: string;
  path: string;
  bytesIn: number;
  log: AccessLog;
  /** The client's session and subagent ids, from Claude Code's headers (bounded, printable). */
  session?: string;
  agent?: string;
  /** Makes the request's spans when it ends (tracing on). */
  tracer?: Tracer;
}

/** Logs an ended exchange once: the access log (and its observers), then its trace. */
function ended(x: Exchange, rec: AccessRecord): void {
  x.log.write(rec);
  x.tracer?.end(x, rec);
}

const msSince = (t: number) => Math.round((performance.now() - t) * 10) / 10;

/** The access record of an exchange: it reads the request context, never writes it. */
function record(x: Exchange, status: number, bytesOut: number, extra: Partial<AccessRecord>, usage?: TokenUsage): AccessRecord {
  const ctx: ContextView = x.ctx;
  const rec: AccessRecord = {
    rid: ctx.requestId,
    method: x.method,
    path: x.path.split("?")[0]!,
    protocol: x.protocol,
    status,
    ms: msSince(ctx.startedAt),
    bytes_in: x.bytesIn,
    bytes_out: bytesOut,
  };
  if (ctx.caller) {
    rec.org = ctx.caller.org;
    rec.user = ctx.caller.user;
  }
  rec.model = ctx.route.model?.slice(0, 256); // a client's name: bounded in the log
  if (ctx.route.key !== undefined && ctx.route.key !== ctx.route.model) rec.route = ctx.route.key;
  rec.backend = ctx.upstream.backend;
  if (x.session) rec.session = x.session;
  if (x.agent) rec.agent = x.agent;
  const charge = ctx.charge;
  if (charge) {
    // the model's charge: the figure its budgets settled to
    rec.tokens_in = charge.usage.input;
    rec.tokens_out = charge.usage.output;
    if (charge.usd > 0 || ctx.upstream.price?.(ctx.upstream.model ?? ctx.route.model ?? "")) rec.cost_usd = Math.round(charge.usd * 1e9) / 1e9;
    if (charge.estimate) {
      rec.usage_estimated = true;
      rec.estimate = charge.estimate;
    }
  } else if (usage && (!x.format || generatesTokens(x.format))) {
    rec.tokens_in = usage.input;
    rec.tokens_out = usage.output;
    const price = ctx.upstream.price?.(ctx.upstream.model ?? ctx.route.model ?? "");
    if (price) rec.cost_usd = Math.round(costUsd(price, usage) * 1e9) / 1e9;
  }
  const cached = charge ? charge.usage : usage;
  if (cached && rec.tokens_in !== undefined && (cached.cacheRead || cached.cacheWrite)) {
    if (cached.cacheRead) rec.cache_read = cached.cacheRead;
    if (cached.cacheWrite) rec.cache_write = cached.cacheWrite;
    const price = ctx.upstream.price?.(ctx.upstream.model ?? ctx.route.model ?? "");
    if (price) rec.cache_saved_usd = Math.round(cacheSavingsUsd(price, cached) * 1e9) / 1e9;
  }
  if (ctx.webSearches) rec.web_searches = ctx.webSearches;
  if (ctx.tags.length) rec.tags = [...ctx.tags];
  const up = ctx.upstream;
  if (up.attempts > 1) rec.attempts = up.attempts;
  if (ctx.moderation.length) rec.moderation = [...ctx.moderation];
  if (up.errors.length) rec.upstream_errors = up.errors;
  if (ctx.limits.rateLimited) rec.rate_limited = ctx.limits.rateLimited;
  if (up.status !== undefined) rec.upstream_status = up.status;
  if (up.model !== undefined) rec.upstream_model = up.model;
  if (up.format !== undefined) rec.upstream_api = up.format;
  return Object.assign(rec, extra);
}

/** The answer's headers plus the gateway's own (a copy: the engine's response is not changed). */
function gatewayHeaders(given: Headers, ctx: ContextView): Headers {
  const headers = new Headers(given);
  headers.set("x-octollm-request-id", ctx.requestId);
  if (ctx.upstream.backend) headers.set("x-octollm-backend", ctx.upstream.backend);
  return headers;
}

/** Whether the same request may succeed if the client sends it again: throttling, time-outs and server-side failures. */
function shouldRetry(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || (status >= 500 && status !== 501);
}

/** An error as a response in the caller's protocol shape. */
export function errorResponse(x: Exchange, err: GatewayError): Response {
  const { status, body } = codecOfExchange(x).errorAnswer(err, x.ctx.requestId);
  const headers = gatewayHeaders(new Headers({ "content-type": "application/json" }), x.ctx);
  if (x.protocol === "anthropic") headers.set("request-id", x.ctx.requestId);
  headers.set("x-should-retry", shouldRetry(status) ? "true" : "false"); // the Anthropic and OpenAI SDKs obey it
  if (err.headers) for (const [k, v] of Object.entries(err.headers)) headers.set(k, v);
  const text = JSON.stringify(body);
  const outcome = err.status === 499 ? "client_closed" : (x.ctx.upstream.status ?? 0) >= 400 ? "upstream_error" : "error";
  ended(x, record(x, status, text.length, { outcome, error: err.message.slice(0, 300) }));
  return new Response(text, { status, headers });
}

/** A gateway-made JSON answer (model list, health); `null` body for HEAD. */
export function jsonResponse(x: Exchange, body: object | null): Response {
  const text = body === null ? null : JSON.stringify(body);
  ended(x, record(x, 200, text?.length ?? 0, { outcome: "ok" }));
  return new Response(text, { headers: gatewayHeaders(new Headers({ "content-type": "application/json" }), x.ctx) });
}

/** An engine response as an HTTP response; streams are logged when they end. */
export async function engineResponse(x: Exchange, res: LLMResponse): Promise<Response> {
  const headers = gatewayHeaders(res.headers, x.ctx);
  if (res.body) {
    const bytes = res.body.bytesOut();
    headers.delete("content-length");
    if (x.tracer && res.status < 400) x.tracer.captureAnswer(x.ctx, codecOfExchange(x), bytes);
    const extra: Partial<AccessRecord> =
      res.status < 400 ? { outcome: "ok" } : { outcome: (x.ctx.upstream.status ?? 0) >= 400 ? "upstream_error" : "error", error: errorMessageOf(bytes) };
    ended(x, record(x, res.status, bytes.byteLength, extra, res.status < 400 ? bodyUsage(bytes) : undefined));
    return new Response(bytes, { status: res.status, headers });
  }
  if (!res.stream) {
    ended(x, record(x, res.status, 0, { outcome: "ok" }));
    return new Response(null, { status: res.status, headers });
  }
  const isSse = (headers.get("content-type") ?? "").startsWith("text/event-stream");
  const observers = x.log.observers;
  const streamModel = x.ctx.route.key ?? x.ctx.route.model;
  const streamBackend = x.ctx.upstream.backend;
  for (const obs of observers) obs.streamStarted?.(streamModel, streamBackend);
  const errorTail: ErrorTail | undefined =
    isSse && !headers.has("content-encoding")
      ? (err, atBoundary) => encoder.encode((atBoundary ? "" : "\n\n") + codecOfExchange(x).errorEvent(streamFailure(err)))
      : undefined;
  const logger = x.log.logger;
  if (logger.enabled("debug")) logger.debug("stream pipeline", { request_id: x.ctx.requestId, stages: res.stream.describe() });
  const stream = x.tracer && isSse ? x.tracer.captureStream(x.ctx, codecOfExchange(x), res.stream) : res.stream;
  const run = stream
    .withErrorTail(errorTail)
    .onEnd((o) => {
      for (const obs of observers) obs.streamEnded?.(streamModel, streamBackend);
      const outcome = o.cancelled ? "client_closed" : o.error ? "upstream_failed" : "ok";
      const ttft = isSse && o.firstByteAt !== undefined ? { ttft_ms: Math.round((o.firstByteAt - x.ctx.startedAt) * 10) / 10 } : {};
      const extra: Partial<AccessRecord> = { outcome, ...ttft, ...(o.error ? { error: String((o.error as Error)?.message ?? o.error) } : {}) };
      if (o.usageEstimated && res.status < 400 && !x.ctx.charge) extra.usage_estimated = true;
      ended(x, record(x, res.status, o.bytes, extra, res.status < 400 ? o.usage : undefined));
    })
    .run();
  // a stream that is already complete (a short answer, an error) goes out as one body, not through JavaScript chunk by chunk
  const whole = await run.takeIfComplete();
  return new Response(whole ?? run.readable, { status: res.status, headers });
}

/** The message of an error answer, for the log: the protocol's message field, else the start of the text (bounded). */
function errorMessageOf(bytes: Uint8Array): string {
  const text = new TextDecoder().decode(bytes.subarray(0, 4096));
  try {
    const body = JSON.parse(text);
    const m = body?.error?.message ?? body?.message ?? body?.error;
    if (typeof m === "string") return m.slice(0, 300);
  } catch {
    // not JSON, or cut at 4 KB
  }
  return text.slice(0, 300);
}

/** The codec of the exchange's API (the protocol family's, on a path that is not an LLM route). */
function codecOfExchange(x: Exchange): ApiCodec {
  return x.format ? codecOf(x.format) : familyCodec(x.protocol);
}
