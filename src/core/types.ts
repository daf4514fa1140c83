import type { LazyBody } from "./body";
import type { StreamPipeline } from "./stream-pipeline";

/** The API a request speaks, which decides its upstream path, auth and error shape. */
export type ApiFormat = "openai.chat" | "anthropic.messages" | "anthropic.count_tokens";

/** The wire protocol family of a format. */
export type Protocol = "openai" | "anthropic";

/** Maps a format to its protocol family. */
export function protocolOf(format: ApiFormat): Protocol {
  return format === "openai.chat" ? "openai" : "anthropic";
}

/** An authenticated caller: the organisation and the user its key belongs to. */
export interface Caller {
  org: string;
  user: string;
}

/** What earlier engines learnt about a request; read by later engines and the access log. */
export interface RequestContext {
  /** Gateway request id, also sent back in a response header. */
  requestId: string;
  /** performance.now() when the request arrived. */
  startedAt: number;
  /** Who is calling, when the request carried a known API key. */
  caller?: Caller;
  /** The model name the client asked for. */
  model?: string;
  /** The name of the backend that served (or last tried) the request. */
  backend?: string;
  /** Free-form tags added by engines (rules, limits); they appear in the access log. */
  tags: string[];
  /** Upstream attempts made so far (more than one after a failover). */
  attempts?: number;
  /** Moderation decisions: one for the input, one for the output (its window checks summed). */
  moderation?: ModerationRecord[];
  /** Upstream attempts that failed: the backend and a bounded kind (`http_503`, `timeout`, `upstream_unavailable`). */
  upstreamErrors?: { backend: string; kind: string }[];
  /** The HTTP status the upstream answered on the last attempt (before any conversion changed it). */
  upstreamStatus?: number;
  /** The model name the last attempt sent upstream (after rewrites). */
  upstreamModel?: string;
  /** Set when the gateway's own rate limits refused the request: which scope. */
  rateLimited?: "org" | "key" | "rule";
}

/** Tokens of one answer: input (cache reads and writes included) and output. */
export interface TokenUsage {
  input: number;
  output: number;
}

/** One moderation decision, for the access log and metrics. */
export interface ModerationRecord {
  direction: "input" | "output";
  /** allow; flag (blocked); error (the service failed; `failed_open` says whether the text went through). */
  decision: "allow" | "flag" | "error";
  /** Time spent waiting on the service, in ms (all windows of an output stream). */
  ms: number;
  /** Service calls made. */
  checks: number;
  /** The flagged category (bounded: the service's category name). */
  category?: string;
  failed_open?: boolean;
}

/** A request as engines see it: format, headers, lazy body, and a signal that fires when the client goes away. */
export interface LLMRequest {
  format: ApiFormat;
  /** Path and query the client used, e.g. "/v1/messages?beta=true". */
  path: string;
  /** The client's request headers (engines must not forward credentials). */
  headers: Headers;
  body: LazyBody;
  signal: AbortSignal;
  ctx: RequestContext;
}

/** A response: status, headers, and a JSON body, a raw byte stream, or nothing. */
export interface LLMResponse {
  status: number;
  headers: Headers;
  /** A parsed-on-demand JSON body (for non-streaming answers built or changed by an engine). */
  body?: LazyBody;
  /** A streamed answer: the upstream bytes and the stages engines added; whoever sends the answer runs it. */
  stream?: StreamPipeline;
}

/** The one interface every building block implements; engines nest by holding the next engine. */
export interface Engine {
  process(req: LLMRequest): Promise<LLMResponse>;
}

/** Wraps a function as an Engine, for small adapters and tests. */
export function engineFn(fn: (req: LLMRequest) => Promise<LLMResponse>): Engine {
  return { process: fn };
}

/** The request asking for an uncompressed answer (for engines that read the answer); the headers are copied, never changed in place. */
export function withoutCompression(req: LLMRequest): LLMRequest {
  if (!req.headers.has("accept-encoding")) return req;
  const headers = new Headers(req.headers);
  headers.delete("accept-encoding");
  return { ...req, headers };
}
