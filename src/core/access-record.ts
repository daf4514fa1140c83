// What one request was, as the access log, the metrics and the usage ledger see it: the types they share, below
// the server that fills them in and the observers that read them.
import type { ModerationRecord } from "./context";
import type { Protocol } from "./types";

/** The fields of one access-log line. */
export interface AccessRecord {
  rid: string;
  method: string;
  path: string;
  protocol: Protocol;
  org?: string;
  user?: string;
  model?: string;
  /** The config key that served the model, when a pattern (e.g. claude-*) matched the name the client asked for. */
  route?: string;
  backend?: string;
  /** The client's session (Claude Code's, Codex's, …) and subagent (x-claude-code-agent-id, or a Codex spawned agent's thread), bounded; never metric labels. */
  session?: string;
  agent?: string;
  status: number;
  ms: number;
  /** Time to the first byte of a streamed answer. */
  ttft_ms?: number;
  /** Tokens the answer reported (input includes cache reads and writes). */
  tokens_in?: number;
  tokens_out?: number;
  /** Of tokens_in: read from the provider's prompt cache, and written to it (when the answer said). */
  cache_read?: number;
  cache_write?: number;
  /** What the prompt cache saved on this answer at the serving backend's price (reads' discount less writes' premium; priced backends only). */
  cache_saved_usd?: number;
  /** What the answer cost, in USD, at the serving backend's price (absent when it is unpriced or reported no usage). */
  cost_usd?: number;
  /** The stream ended early: its tokens (and cost) are partly estimated (the output generated until then). */
  usage_estimated?: boolean;
  /** The rule that estimated them: stream_text, reasoning_reserved (could reason out of sight), reservation (nothing told). */
  estimate?: "stream_text" | "reasoning_reserved" | "reservation";
  /** Searches the gateway ran for the request (Anthropic's web_search on a chat backend). */
  web_searches?: number;
  bytes_in: number;
  bytes_out: number;
  tags?: string[];
  /** Upstream attempts, when there was more than one. */
  attempts?: number;
  /** Moderation decisions, with their latency and flagged category. */
  moderation?: ModerationRecord[];
  /** Upstream attempts that failed (the request may still have succeeded on another backend). */
  upstream_errors?: { backend: string; kind: string }[];
  /** The gateway's own limit scope that refused the request. */
  rate_limited?: "org" | "key" | "rule" | "budget";
  /** The upstream's own HTTP status (before conversion), when an upstream answered. */
  upstream_status?: number;
  /** The model name sent upstream (after rewrites). */
  upstream_model?: string;
  /** The API format sent upstream (`openai.chat`, `anthropic.messages`, …), when an upstream was asked. */
  upstream_api?: string;
  /** ok; error (the gateway refused or failed); upstream_error (the upstream answered an error); client_closed; upstream_failed (mid-stream). */
  outcome?: "ok" | "error" | "upstream_error" | "client_closed" | "upstream_failed";
  error?: string;
}

/** Something that follows every request: the metrics, the usage ledger. */
export interface RequestObserver {
  /** A request ended (answered, failed, or its stream closed). */
  ended(rec: AccessRecord): void;
  /** A streamed answer started going out, from this model (its config key) and backend; `streamEnded` follows once, with the same. */
  streamStarted?(model: string | undefined, backend: string | undefined): void;
  streamEnded?(model: string | undefined, backend: string | undefined): void;
}
