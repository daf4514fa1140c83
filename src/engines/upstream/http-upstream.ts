import {
  GatewayError,
  UpstreamUnreachable,
  LazyBody,
  log,
  responseItemPath,
  type Logger,
  type ApiFormat,
  type Engine,
  type LLMRequest,
  type LLMResponse,
  type AttemptSpan,
  StreamPipeline,
} from "../../core";
import { estimateInputTokens } from "../../convert";
import { endAttempt, startAttempt } from "../../otel";
import { StreamUsage, answerFacts, codecOf } from "../../protocols";
import { ConnectFailed, ConnectProbe } from "./connect-probe";
import { DEFAULT_MAX_RESPONSE_BYTES, readAnswer } from "./answer-body";
import { Deadline } from "./deadline";
import { CLIENT_CREDENTIAL_HEADERS, clientResponseHeaders, upstreamRequestHeaders } from "./headers";
import { UpstreamKeys } from "./upstream-keys";

/** Default upstream paths per request format. */
export const DEFAULT_PATHS: Record<ApiFormat, string> = {
  "openai.chat": "/v1/chat/completions",
  "openai.responses": "/v1/responses",
  "openai.responses.input_tokens": "/v1/responses/input_tokens",
  "openai.responses.compact": "/v1/responses/compact",
  "openai.responses.item": "/v1/responses",
  "anthropic.messages": "/v1/messages",
  "anthropic.count_tokens": "/v1/messages/count_tokens",
  // Gemini names the model in the path: {model} is the request's (the backend's model name, once set), {version} the client's
  "gemini.generate": "/{version}/models/{model}:generateContent",
  "gemini.stream": "/{version}/models/{model}:streamGenerateContent",
  "gemini.count_tokens": "/{version}/models/{model}:countTokens",
};

/** Settings of an HTTP upstream. */
export interface HttpUpstreamOptions {
  /** Forward the client's own Authorization / x-api-key instead of sending apiKey (`auth: client`). */
  clientAuth?: boolean;
  /** Where redirects and other upstream trouble are logged (default: the process log). */
  logger?: Logger;
  /** Base URL the format paths are appended to, e.g. "https://api.openai.com". */
  baseUrl: string;
  /** Per-format paths; missing ones use DEFAULT_PATHS. */
  paths?: Partial<Record<ApiFormat, string>>;
  /** Upstream key: Bearer for OpenAI requests, x-api-key for Anthropic ones. */
  /** The key it sends (library use; the config gives `apiKeys`). */
  apiKey?: string;
  /** The keys it sends: each session keeps one when there are several (upstream-keys.ts). */
  apiKeys?: string[];
  /** Send the key to an Anthropic backend as Bearer instead of x-api-key. */
  anthropicApiKeyAsBearer?: boolean;
  /** Headers added to every upstream request (they win over client headers). */
  extraHeaders?: Record<string, string>;
  /** HTTP(S) proxy URL for upstream requests. */
  httpProxy?: string;
  /** TCP connect deadline for a cold origin (0: none). */
  connectTimeoutMs?: number;
  /** Deadline for the upstream's response headers (0: none). */
  firstByteTimeoutMs?: number;
  /** Longest silence between two body chunks (0: none). */
  idleTimeoutMs?: number;
  /** Largest whole (non-stream) answer held in memory (default 64 MiB); a larger one is a 502. */
  maxResponseBytes?: number;
}

/** Sends requests to an OpenAI- or Anthropic-compatible HTTP API and returns its answer as it comes. */
export class HttpUpstreamEngine implements Engine {
  private readonly urls: Record<ApiFormat, string>;
  private readonly probe?: ConnectProbe;
  private readonly keys: UpstreamKeys;

  constructor(private readonly opts: HttpUpstreamOptions) {
    this.keys = new UpstreamKeys(opts.apiKeys ?? (opts.apiKey ? [opts.apiKey] : []));
    const base = opts.baseUrl.replace(/\/+$/, "");
    const path = (f: ApiFormat) => opts.paths?.[f] ?? DEFAULT_PATHS[f];
    this.urls = {
      "openai.chat": base + path("openai.chat"),
      "openai.responses": base + path("openai.responses"),
      "openai.responses.input_tokens":
        base + (opts.paths?.["openai.responses"] ? `${opts.paths["openai.responses"]}/input_tokens` : path("openai.responses.input_tokens")),
      "openai.responses.item": base + path("openai.responses"),
      "openai.responses.compact": base + (opts.paths?.["openai.responses"] ? `${opts.paths["openai.responses"]}/compact` : path("openai.responses.compact")),
      "anthropic.messages": base + path("anthropic.messages"),
      "anthropic.count_tokens": base + path("anthropic.count_tokens"),
      "gemini.generate": base + path("gemini.generate"),
      "gemini.stream": base + path("gemini.stream"),
      "gemini.count_tokens": base + path("gemini.count_tokens"),
    };
    if (opts.connectTimeoutMs) {
      const target = new URL(opts.httpProxy ?? base);
      const port = Number(target.port) || (target.protocol === "https:" ? 443 : 80);
      this.probe = new ConnectProbe(target.hostname.replace(/^\[|\]$/g, ""), port, opts.connectTimeoutMs);
    }
  }

  async process(req: LLMRequest): Promise<LLMResponse> {
    if (req.signal.aborted) throw clientGone();
    const abort = new AbortController();
    const onClientGone = () => abort.abort();
    req.signal.addEventListener("abort", onClientGone, { once: true });
    const release = () => req.signal.removeEventListener("abort", onClientGone);
    const deadline = new Deadline(abort);
    let streaming = false;
    let attempt: AttemptSpan | undefined;
    try {
      deadline.arm(this.opts.firstByteTimeoutMs ?? 0, "first_byte");
      const codec = codecOf(req.format);
      const model = codec.model(req.body, req.path);
      req.ctx.upstream.model = typeof model === "string" ? model.slice(0, 200) : undefined;
      req.ctx.upstream.format = req.format;
      if (this.probe && !this.probe.fresh) await this.probe.check(); // no await on the hot path while the origin answers
      const method = req.method ?? "POST";
      const fill = codec.fillPath; // an API that names the model (and version) in its path fills the template
      const url = fill ? fill(this.urls[req.format], req.path, String(model ?? "")) : this.urls[req.format];
      const trace = req.ctx.trace && startAttempt(req.ctx.trace, req.format, url, req.ctx.upstream.backend); // this attempt's CLIENT span
      attempt = trace?.span;
      const res = await fetch(withQuery(url + itemSuffix(req), req.path), {
        method,
        headers: this.headersFor(req, trace?.header),
        body: method === "POST" && req.format !== "openai.responses.item" ? req.body.bytesOut() : undefined,
        signal: abort.signal,
        redirect: "manual", // a redirect would carry the key, extra headers and prompt to another host
        decompress: true, // identity was asked for; an upstream that compresses anyway is decoded here
        proxy: this.opts.httpProxy,
      });
      this.probe?.markOk();
      if (attempt) attempt.status = res.status;
      if (res.status >= 300 && res.status < 400) throw redirected(res, this.opts.logger ?? log);
      const headers = clientResponseHeaders(res.headers);
      if (!res.body || !(res.headers.get("content-type") ?? "").startsWith("text/event-stream")) {
        // a whole answer (JSON, or an error): read it bounded, under the idle deadline
        const max = this.opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
        const bytes = res.body ? await readAnswer(res.body, res.headers.get("content-length"), max, deadline, this.opts.idleTimeoutMs ?? 0) : new Uint8Array(0);
        endAttempt(attempt, undefined, undefined, attempt && answerFacts(bytes, bytes));
        return { status: res.status, upstreamStatus: res.status, headers, body: LazyBody.fromBytes(res.status >= 400 ? this.withoutSecrets(bytes) : bytes) };
      }
      deadline.clear();
      streaming = true;
      const inputEstimate = () => estimateInputTokens(req.body.json<Record<string, unknown>>() ?? {}); // only for a stream cut short
      const meter = new StreamUsage(inputEstimate);
      return {
        status: res.status,
        upstreamStatus: res.status,
        headers,
        stream: StreamPipeline.of(res.body, meter)
          .idleTimeout(this.opts.idleTimeoutMs)
          .onEnd((outcome) => {
            release();
            endAttempt(attempt, undefined, outcome.error ? "stream_failed" : undefined, attempt && meter.facts);
          }),
      };
    } catch (err) {
      const e = fetchError(err, deadline, req.signal);
      endAttempt(attempt, undefined, e.kind);
      throw e;
    } finally {
      deadline.clear();
      if (!streaming) release();
    }
  }

  /** An error answer with the backend's own key and header values hidden (an upstream that echoes what it got must not hand them to clients). */
  private withoutSecrets(bytes: Uint8Array): Uint8Array {
    const secrets = [...this.keys.all, ...Object.values(this.opts.extraHeaders ?? {})].filter((s): s is string => !!s && s.length >= 8);
    if (!secrets.length) return bytes;
    let text = new TextDecoder().decode(bytes);
    let changed = false;
    for (const s of secrets) {
      if (text.includes(s)) {
        text = text.replaceAll(s, "***");
        changed = true;
      }
    }
    return changed ? new TextEncoder().encode(text) : bytes;
  }

  /** The upstream request's headers; `traceparent` (tracing on) replaces the client's, which never goes on as it came. */
  private headersFor(req: LLMRequest, traceparent?: string): Headers {
    const h = upstreamRequestHeaders(req.headers);
    if (traceparent) {
      h.set("traceparent", traceparent);
      const state = req.ctx.trace?.tracestate;
      if (state) h.set("tracestate", state);
      else h.delete("tracestate");
    }
    h.set("content-type", "application/json");
    h.set("accept-encoding", "identity"); // usage is read from answers: they must come as plain bytes
    if (this.opts.clientAuth) {
      for (const name of CLIENT_CREDENTIAL_HEADERS) {
        const value = req.headers.get(name); // the gateway's own key was removed by auth: this is the client's
        if (value) h.set(name, value);
      }
    }
    codecOf(req.format).upstreamHeaders(h, { key: this.opts.clientAuth ? undefined : this.keys.pick(req), bearer: this.opts.anthropicApiKeyAsBearer });
    const extra = this.opts.extraHeaders;
    if (extra) for (const name in extra) h.set(name, extra[name]!);
    return h;
  }
}

/**
 * Carries the client's query string (e.g. ?beta=true) over to the upstream URL; a parameter the configured URL
 * already sets (an API version, a deployment) is the operator's, and the client's copy of it is dropped.
 */
function withQuery(url: string, clientPath: string): string {
  const q = clientPath.indexOf("?");
  if (q < 0) return url;
  const own = url.indexOf("?");
  if (own < 0) return `${url}?${clientPath.slice(q + 1)}`;
  const taken = new URLSearchParams(url.slice(own + 1));
  const client = new URLSearchParams(clientPath.slice(q + 1));
  for (const name of taken.keys()) client.delete(name);
  const rest = client.toString();
  return rest ? `${url}&${rest}` : url;
}

/** A 3xx from an upstream: never followed; a 502 for the client, the target's host in the log. */
function redirected(res: Response, logger: Logger): GatewayError {
  res.body?.cancel().catch(() => {});
  let host = "(none)";
  try {
    host = new URL(res.headers.get("location") ?? "", res.url).host || host;
  } catch {
    // a malformed location: logged as none
  }
  logger.warn("upstream answered a redirect, which is not followed", { status: res.status, location_host: host.slice(0, 255) });
  return new GatewayError("upstream_unavailable", `upstream answered ${res.status} (a redirect, which the gateway does not follow)`, {
    status: 502,
    upstreamStatus: res.status,
  });
}

function clientGone(cause?: unknown): GatewayError {
  return new GatewayError("invalid_request", "client closed the request", { status: 499, cause });
}

/** Maps a failed fetch (or body read) to the gateway error it means. */
function fetchError(err: unknown, deadline: Deadline, clientSignal: AbortSignal): GatewayError {
  if (err instanceof GatewayError) return err;
  if (deadline.fired === "first_byte") return new GatewayError("timeout", `upstream sent no response within ${deadline.ms} ms`, { cause: err });
  if (deadline.fired === "idle") return new GatewayError("timeout", `upstream response stalled for ${deadline.ms} ms`, { cause: err });
  if (clientSignal.aborted) return clientGone(err);
  if (err instanceof ConnectFailed) return new UpstreamUnreachable(`upstream unavailable: ${err.message}`, err);
  return new UpstreamUnreachable(`upstream unavailable: ${(err as Error)?.message ?? err}`, err);
}

/** For a Responses item request, the part of its path after /v1/responses (the id, and /cancel or /input_items). */
function itemSuffix(req: LLMRequest): string {
  if (req.format !== "openai.responses.item") return "";
  const item = responseItemPath(req.path);
  if (!item) throw new GatewayError("not_found", "no such response path", { code: "not_found" });
  return item.suffix;
}
