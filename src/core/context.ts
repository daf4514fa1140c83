// What engines learn about a request as it passes, in parts that each have one writer: auth writes the
// caller, the router the route, the balancer and the upstream engine the upstream part, the limits their
// part, moderation its decisions. Readers (the access log, metrics, response headers) only read.
import type { Price } from "./price";
import type { ApiFormat } from "./types";
import type { TokenUsage } from "./types";

/** An authenticated caller: the organisation and the user its key belongs to. */
export interface Caller {
  org: string;
  user: string;
}

/** Written by the router: which model the request is for. */
export interface RouteFacts {
  /** The model name the client asked for. */
  model?: string;
  /** The config key serving it (differs from `model` when a pattern such as `claude-*` matched). */
  key?: string;
  /** Written by the model: the one backend the request may go to (the one that stores the response it reads or continues). */
  backend?: string;
}

/** Written by the balancer (and the model name by the upstream engine): where the request went and what came back. */
export interface UpstreamFacts {
  /** The backend that served (or last tried) the request. */
  backend?: string;
  /** Attempts made so far (more than one after a failover). */
  attempts: number;
  /** Attempts that failed: the backend and a bounded kind (`http_503`, `timeout`, `upstream_unavailable`). */
  errors: { backend: string; kind: string }[];
  /** The status the upstream answered on the last attempt, before any conversion changed it (recorded by the balancer from the answer's `upstreamStatus`). */
  status?: number;
  /** The model name the last attempt sent upstream (after rewrites). */
  model?: string;
  /** The API format the last attempt spoke upstream (differs from the client's when converted). */
  format?: ApiFormat;
  /** The price of the backend that served, for the upstream model name (written with `backend`). */
  price?: (upstreamModel: string) => Price | undefined;
}

/** Written by the limits: whether the gateway's own rate limits refused the request, and which scope. */
export interface LimitFacts {
  rateLimited?: "org" | "key" | "rule" | "budget";
}

/**
 * Written by the model when the answer ends: what the request is charged, the one figure that the budgets settle
 * to and the access log, the metrics and the ledger record. `estimate` names the rule that produced it when the
 * answer did not tell its usage: `stream_text` (the text a cut stream carried), `reasoning_reserved` (the request
 * could reason out of sight: its reservation's whole output), `reservation` (nothing told: the whole reservation).
 */
export interface ChargeFacts {
  usage: TokenUsage;
  /** USD at the serving backend's price (0: unpriced). */
  usd: number;
  estimate?: "stream_text" | "reasoning_reserved" | "reservation";
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

/** One upstream attempt of a traced request: its CLIENT span, written by the upstream engine. */
export interface AttemptSpan {
  spanId: string;
  /** Epoch milliseconds. */
  startMs: number;
  endMs?: number;
  format: ApiFormat;
  url: string;
  backend?: string;
  status?: number;
  /** A bounded failure kind (`timeout`, `upstream_unavailable`, `http_503`). */
  error?: string;
  /** The id the upstream gave its answer, and the reasons it finished. */
  responseId?: string;
  finishReasons?: string[];
}

/** Written at arrival when tracing is on, and by the upstream engine for each attempt: the request's trace. */
export interface TraceFacts {
  traceId: string;
  /** The gateway's SERVER span. */
  spanId: string;
  parentSpanId?: string;
  sampled: boolean;
  tracestate?: string;
  /** Epoch milliseconds at arrival. */
  startMs: number;
  /** One per upstream attempt (sampled traces only). */
  attempts: AttemptSpan[];
  /** A whole answer's id and finish reasons as the client received it (sampled traces only; a stream's come from its attempt). */
  answer?: { id?: string; finishReasons: string[] };
  /** The answer's text, when content is captured (sampled traces only). */
  output?: { text: string };
  /** Attributes read from the request body (sampled traces only). */
  request?: Record<string, string | number | boolean | readonly string[] | undefined>;
}

/** What engines learnt about a request, by owner; the access log and metrics read it. */
export interface RequestContext {
  /** Gateway request id, also sent back in a response header. */
  readonly requestId: string;
  /** performance.now() when the request arrived. */
  readonly startedAt: number;
  /** Written by auth: who is calling, when the request carried a known API key. */
  caller?: Caller;
  /** Written by auth: a key came that is not the gateway's (it may be the client's own, for `auth: client` models). */
  keyRejected?: boolean;
  readonly route: RouteFacts;
  readonly upstream: UpstreamFacts;
  readonly limits: LimitFacts;
  /** Written by moderation: one decision for the input, one for the output (its window checks summed). */
  readonly moderation: ModerationRecord[];
  /** Free-form tags added by rules and limits; they appear in the access log. */
  readonly tags: string[];
  /** Written by the model when the answer ends (generating requests only). */
  charge?: ChargeFacts;
  /** Written by the model: it added `stream_options.include_usage` to a chat stream (its client did not ask). */
  streamUsageAdded?: boolean;
  /** Written by the gateway's web-search loop: the searches this request ran (each one is paid). */
  webSearches?: number;
  /** The request's trace, when tracing is on (the upstream engine adds its attempts). */
  trace?: TraceFacts;
}

/** A context as its readers see it: nothing in it can be changed through this type. */
export type ContextView = {
  readonly [K in keyof RequestContext]: RequestContext[K] extends (infer T)[] ? readonly Readonly<T>[] : Readonly<RequestContext[K]>;
};

/** A fresh context for a request that arrived now. */
export function newRequestContext(requestId: string, startedAt = performance.now()): RequestContext {
  return { requestId, startedAt, route: {}, upstream: { attempts: 0, errors: [] }, limits: {}, moderation: [], tags: [] };
}
