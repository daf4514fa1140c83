import { GatewayError, guardStream, type ApiFormat, type Engine, type LLMRequest, type LLMResponse } from "../../core";
import { ConnectFailed, ConnectProbe } from "./connect-probe";
import { clientResponseHeaders, upstreamRequestHeaders } from "./headers";

/** Default upstream paths per request format. */
export const DEFAULT_PATHS: Record<ApiFormat, string> = {
  "openai.chat": "/v1/chat/completions",
  "anthropic.messages": "/v1/messages",
  "anthropic.count_tokens": "/v1/messages/count_tokens",
};

/** Settings of an HTTP upstream. */
export interface HttpUpstreamOptions {
  /** Base URL the format paths are appended to, e.g. "https://api.openai.com". */
  baseUrl: string;
  /** Per-format paths; missing ones use DEFAULT_PATHS. */
  paths?: Partial<Record<ApiFormat, string>>;
  /** Upstream key: Bearer for OpenAI requests, x-api-key for Anthropic ones. */
  apiKey?: string;
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
}

/** Sends requests to an OpenAI- or Anthropic-compatible HTTP API and returns its answer as it comes. */
export class HttpUpstreamEngine implements Engine {
  private readonly urls: Record<ApiFormat, string>;
  private readonly probe?: ConnectProbe;

  constructor(private readonly opts: HttpUpstreamOptions) {
    const base = opts.baseUrl.replace(/\/+$/, "");
    const path = (f: ApiFormat) => opts.paths?.[f] ?? DEFAULT_PATHS[f];
    this.urls = {
      "openai.chat": base + path("openai.chat"),
      "anthropic.messages": base + path("anthropic.messages"),
      "anthropic.count_tokens": base + path("anthropic.count_tokens"),
    };
    if (opts.connectTimeoutMs) {
      const target = new URL(opts.httpProxy ?? base);
      const port = Number(target.port) || (target.protocol === "https:" ? 443 : 80);
      this.probe = new ConnectProbe(target.hostname.replace(/^\[|\]$/g, ""), port, opts.connectTimeoutMs);
    }
  }

  /** The URL a request of this format goes to. */
  urlFor(format: ApiFormat): string {
    return this.urls[format];
  }

  async process(req: LLMRequest): Promise<LLMResponse> {
    const headers = this.headersFor(req);
    const abort = new AbortController();
    const onClientGone = () => abort.abort(req.signal.reason);
    if (req.signal.aborted) throw new GatewayError("invalid_request", "client closed the request", { status: 499 });
    req.signal.addEventListener("abort", onClientGone, { once: true });
    const firstByteMs = this.opts.firstByteTimeoutMs ?? 0;
    let timedOut = false;
    const timer = firstByteMs > 0 ? setTimeout(() => { timedOut = true; abort.abort(); }, firstByteMs) : undefined;
    let res: Response;
    try {
      if (this.probe) await this.probe.check();
      res = await fetch(withQuery(this.urls[req.format], req.path), {
        method: "POST",
        headers,
        body: req.body.bytesOut(),
        signal: abort.signal,
        decompress: false,
        proxy: this.opts.httpProxy,
      });
    } catch (err) {
      req.signal.removeEventListener("abort", onClientGone);
      throw this.fetchError(err, timedOut, firstByteMs);
    } finally {
      clearTimeout(timer);
    }
    this.probe?.markOk();
    const stream = res.body
      ? guardStream(res.body, {
          idleTimeoutMs: this.opts.idleTimeoutMs,
          onEnd: () => req.signal.removeEventListener("abort", onClientGone),
        })
      : undefined;
    if (!stream) req.signal.removeEventListener("abort", onClientGone);
    return { status: res.status, headers: clientResponseHeaders(res.headers), stream };
  }

  private headersFor(req: LLMRequest): Headers {
    const h = upstreamRequestHeaders(req.headers);
    h.set("content-type", "application/json");
    const key = this.opts.apiKey;
    const anthropic = req.format !== "openai.chat";
    if (anthropic && !h.has("anthropic-version")) h.set("anthropic-version", "2023-06-01");
    if (key) {
      if (anthropic && !this.opts.anthropicApiKeyAsBearer) h.set("x-api-key", key);
      else h.set("authorization", `Bearer ${key}`);
    }
    const extra = this.opts.extraHeaders;
    if (extra) for (const name in extra) h.set(name, extra[name]!);
    return h;
  }

  private fetchError(err: unknown, timedOut: boolean, firstByteMs: number): GatewayError {
    if (err instanceof GatewayError) return err;
    if (timedOut) return new GatewayError("timeout", `upstream sent no response within ${firstByteMs} ms`, { cause: err });
    if (err instanceof ConnectFailed) return new GatewayError("upstream_unavailable", `upstream unavailable: ${err.message}`, { cause: err });
    const name = (err as Error)?.name;
    if (name === "AbortError") return new GatewayError("invalid_request", "client closed the request", { status: 499, cause: err });
    return new GatewayError("upstream_unavailable", `upstream unavailable: ${(err as Error)?.message ?? err}`, { cause: err });
  }
}

/** Carries the client's query string (e.g. ?beta=true) over to the upstream URL. */
function withQuery(url: string, clientPath: string): string {
  const q = clientPath.indexOf("?");
  if (q < 0) return url;
  return url + (url.includes("?") ? "&" : "?") + clientPath.slice(q + 1);
}
