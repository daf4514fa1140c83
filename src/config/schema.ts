// The config schema (valibot). Field names are the YAML's snake_case; every field says what it is.
import * as v from "valibot";
import { FAILOVER_DEFAULTS } from "../engines/balancer/defaults";
import { crossChecks } from "./checks";

/** True for an http:// or https:// URL with a host (the only URLs an upstream, proxy or service may have). */
export function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return (u.protocol === "http:" || u.protocol === "https:") && u.hostname.length > 0;
  } catch {
    return false;
  }
}
const httpUrl = (what: string) =>
  v.optional(v.pipe(v.string(), v.check(isHttpUrl, "must be an http:// or https:// URL with a host"), v.description(what)));
/** The type error of a secret field: it never echoes the value (a YAML number would otherwise be printed back). */
export const SECRET_TYPE_MESSAGE = "must be a string: quote it (the value is not shown)";
const secret = (what: string) => v.optional(v.pipe(v.string(SECRET_TYPE_MESSAGE), v.description(what)));
/** An HTTP header name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** A header value: no CR, LF or NUL (they would split or cut the request). */
const HEADER_VALUE = /^[^\r\n\0]*$/;
const headers = (what: string) => v.optional(v.pipe(
  v.record(
    v.pipe(v.string(), v.regex(HEADER_NAME, "must be a valid header name (letters, digits and !#$%&'*+.^_`|~-, no spaces)")),
    v.pipe(v.string(), v.regex(HEADER_VALUE, "a header value may not hold CR, LF or NUL")),
  ),
  v.description(what),
));

const path = (what: string) =>
  v.optional(v.pipe(v.string(), v.startsWith("/", "must start with /"), v.description(`Upstream path for ${what}`)));
const ms = (what: string) =>
  v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.description(what)));

/** Fewest characters of an admin key, from the config or from OCTOLLM_ADMIN_KEY. */
export const ADMIN_KEY_MIN = 16;

/** Settings of the built-in mock backend. */
export const MockSchema = v.strictObject({
  text: v.optional(v.pipe(v.string(), v.description("Fixed reply text (default: a greeting that echoes the last user message)"))),
  chunks: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(10_000), v.description("About how many stream chunks carry the text (default 8)"))),
  latency_ms: ms("Delay before the answer starts"),
  chunk_delay_ms: ms("Delay between stream chunks"),
});

/** A JSON rewrite: remove_keys first, then set_keys, then set_keys_by_expr. */
export const RewriteSchema = v.strictObject({
  set_keys: v.optional(v.pipe(v.record(v.string(), v.unknown()), v.description("Path → value to set (dotted paths, numeric array indexes)"))),
  set_keys_by_expr: v.optional(v.pipe(v.record(v.string(), v.string()), v.description("Path → expression whose value is set (sees RawReq, and Resp for responses)"))),
  remove_keys: v.optional(v.pipe(v.array(v.string()), v.description("Paths to remove"))),
});

const rewrites = {
  request_rewrites: v.optional(v.pipe(RewriteSchema, v.description("Rewrites of the request body"))),
  response_rewrites: v.optional(v.pipe(RewriteSchema, v.description("Rewrites of a whole (non-stream) JSON response"))),
  stream_chunk_rewrites: v.optional(v.pipe(RewriteSchema, v.description("Rewrites of each JSON event of a stream"))),
};

const flag = (what: string) => v.optional(v.pipe(v.boolean(), v.description(what)));

/** How an OpenAI-compatible backend differs from the reference (used when converting to it). */
export const ProfileSchema = v.strictObject({
  max_tokens_field: v.optional(v.pipe(v.picklist(["max_tokens", "max_completion_tokens"]), v.description("Field for the output cap (default max_tokens)"))),
  max_output_tokens: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.description("Clamp max_tokens to this (0: no clamp)"))),
  stream_usage: flag("Send stream_options.include_usage (default true)"),
  reasoning_param: v.optional(v.pipe(v.picklist(["reasoning_effort", "openrouter", "thinking_object", "enable_thinking", "chat_template_kwargs", "none"]), v.description("How to switch reasoning on (default reasoning_effort)"))),
  reasoning_history: v.optional(v.pipe(v.picklist(["drop", "reasoning_content", "reasoning"]), v.description("Where earlier thinking goes in assistant messages (default drop)"))),
  think_tags: flag("The backend writes <think>…</think> inside content"),
  vision: flag("Images are accepted (default true)"),
  pdf: flag("PDF files are accepted (default false)"),
  tool_name_max: v.optional(v.pipe(v.number(), v.integer(), v.minValue(16), v.maxValue(256), v.description("Longest tool name (default 64)"))),
  assistant_null_content: flag("content: null next to tool_calls (default true; false sends \"\")"),
  parallel_tool_calls_param: flag("parallel_tool_calls is accepted (default true)"),
  top_k: flag("top_k is accepted (default false)"),
  fixed_temperature: flag("Drop temperature and top_p (models that accept only their default)"),
  max_stop: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.description("Most stop sequences accepted (default 4)"))),
  safety_identifier: flag("Send a hash of metadata.user_id as safety_identifier (OpenAI)"),
  tool_streaming: v.optional(v.pipe(v.picklist(["buffered", "live"]), v.description("Tool calls in converted streams: emitted whole (default) or live"))),
  ping_interval_ms: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.description("Keep-alive ping on converted streams after this much silence (default 15000; 0: none)"))),
});

const backendFields = {
  provider: v.optional(v.pipe(v.picklist(["http", "mock"]), v.description("http (default): an OpenAI/Anthropic-compatible API; mock: the built-in offline backend"))),
  base_url: httpUrl("Base URL that the url_path_* paths are appended to (http:// or https://)"),
  url_path_chat: path("OpenAI chat completions (default /v1/chat/completions)"),
  url_path_messages: path("Anthropic messages (default /v1/messages)"),
  url_path_count_tokens: path("Anthropic count_tokens (default /v1/messages/count_tokens)"),
  api_key: secret("Upstream API key (written but empty, e.g. ${KEY:-}: no key; not written: env OCTOLLM_API_KEY)"),
  anthropic_api_key_as_bearer: v.optional(v.pipe(v.boolean(), v.description("Send the key to Anthropic-format endpoints as Authorization: Bearer instead of x-api-key"))),
  extra_headers: headers("Headers added to every upstream request"),
  http_proxy: httpUrl("HTTP(S) proxy for upstream requests (http:// or https://)"),
  connect_timeout_ms: ms("TCP connect deadline for an origin with no recent answer (default 10000; 0: none)"),
  first_byte_timeout_ms: ms("Deadline for the upstream's response headers (default 600000; 0: none)"),
  idle_timeout_ms: ms("Longest silence between two response chunks (default 300000; 0: none)"),
  mock: v.optional(MockSchema),
  convert_to_messages: v.optional(v.pipe(v.literal("from_chat"), v.description("Serve Anthropic /v1/messages from this backend's OpenAI chat API"))),
  convert_to_chat: v.optional(v.pipe(v.literal("from_messages"), v.description("Serve OpenAI /v1/chat/completions from this backend's Anthropic messages API"))),
  profile: v.optional(ProfileSchema),
  ...rewrites,
};

/** A reusable upstream definition under `backends`. */
export const BackendSchema = v.strictObject(backendFields);

/** A backend of a model: inline, or `use: <global backend>` with field-by-field overrides. */
export const ModelBackendSchema = v.strictObject({
  use: v.optional(v.pipe(v.string(), v.description("Name of a global backend to inherit from"))),
  ...backendFields,
});

const positive = (what: string) => v.optional(v.pipe(v.number(), v.integer(), v.minValue(1, "must be a positive integer"), v.description(what)));
const limitFields = {
  rpm: positive("Requests per minute"),
  tpm: positive("Tokens per minute (input + output)"),
  rpd: positive("Requests per day (UTC)"),
  tpd: positive("Tokens per day (UTC)"),
  concurrency: positive("Requests in flight at once"),
};

/** Rate limits of one dimension (org × model, API key). */
export const LimitsSchema = v.strictObject(limitFields);

/** A rule's limits: when exceeded the rule is skipped, unless deny_when_exceeding. */
export const RuleLimitsSchema = v.strictObject({
  ...limitFields,
  deny_when_exceeding: v.optional(v.pipe(v.boolean(), v.description("Refuse with 429 instead of skipping the rule"))),
});

/** A rule's deny action. */
export const DenySchema = v.strictObject({
  reason_text: v.optional(v.pipe(v.string(), v.description("Error message returned to the client"))),
  http_status_code: v.optional(v.pipe(v.number(), v.integer(), v.minValue(400), v.maxValue(599), v.description("HTTP status (default 400)"))),
  type: v.optional(v.pipe(v.string(), v.description("Error type in the body (default: derived from the status)"))),
  param: v.optional(v.pipe(v.string(), v.description("OpenAI error param"))),
  code: v.optional(v.pipe(v.string(), v.description("OpenAI error code"))),
});

/** A routing rule: first match wins. */
export const RuleSchema = v.strictObject({
  name: v.pipe(v.string(), v.minLength(1), v.description("Rule name (logs)")),
  match: v.optional(v.pipe(v.string(), v.description("Expression over RawReq, Features, Headers, Org, User, Model (default: true)"))),
  deny: v.optional(DenySchema),
  forward_weights: v.optional(v.pipe(v.record(v.string(), v.pipe(v.number(), v.minValue(0))), v.description("Backend name → weight, among the model's backends"))),
  add_tags: v.optional(v.pipe(v.array(v.string()), v.description("Tags for later engines and the access log"))),
  rule_limits: v.optional(RuleLimitsSchema),
});

/** Content moderation of a model (every key optional: an org's settings are laid over the model's). */
export const ModerationSchema = v.strictObject({
  enabled: v.optional(v.pipe(v.boolean(), v.description("false turns moderation off (e.g. for one org)"))),
  provider: v.optional(v.pipe(v.picklist(["openai", "webhook"]), v.description("openai: an OpenAI-compatible /v1/moderations; webhook: POST {text, direction, model, org} → {allow, reason}"))),
  url: httpUrl("Full URL of the service, e.g. https://api.openai.com/v1/moderations"),
  api_key: secret("Sent as Bearer (use ${VAR})"),
  model: v.optional(v.pipe(v.string(), v.description("openai: the moderation model, e.g. omni-moderation-latest"))),
  thresholds: v.optional(v.pipe(v.record(v.string(), v.pipe(v.number(), v.minValue(0), v.maxValue(1))), v.description("openai: category → score at or above which it counts as flagged (instead of the service's own flag)"))),
  timeout_ms: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.description("Deadline of one check (default 2000)"))),
  on_error: v.optional(v.pipe(v.picklist(["allow", "deny"]), v.description("When the service fails or is too slow: allow (fail open, default) or deny (fail closed: 503)"))),
  input: v.optional(v.pipe(v.boolean(), v.description("Check the request before the upstream call (default true)"))),
  input_chars: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1000), v.description("All of the request's text is checked, in windows of at most this many characters (default 20000); windows allowed before are remembered and not sent again"))),
  input_max_checks: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1000), v.description("Most service calls for one request's new text (default 16); past it the newest windows are checked and the rest counts as a service failure (on_error decides)"))),
  output: v.optional(v.pipe(v.boolean(), v.description("Check the answer before the client sees it (default true)"))),
  window_chars: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.description("Streams: characters of text per checked window (default 500)"))),
  window_chunks: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.description("Streams: also close a window after this many chunks with text (default 0: by characters only)"))),
  window_ms: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.description("Streams: longest time text waits for its window to fill before it is checked anyway (default 1000; 0: no limit)"))),
  on_flag: v.optional(v.pipe(v.picklist(["replace", "error"]), v.description("A flagged answer: replace its text (finish_reason content_filter / stop_reason refusal, default) or answer an error"))),
  replacement: v.optional(v.pipe(v.string(), v.description("The text a flagged answer is replaced with"))),
});

/** An exposed model. */
export const ModelSchema = v.strictObject({
  access: v.optional(v.pipe(v.picklist(["public", "internal", "private"]), v.description("public: anyone; internal: any valid key; private: orgs that list the model")), "public"),
  default_rules: v.optional(v.pipe(v.array(RuleSchema), v.description("Rules for every caller, after the caller's org rules")), []),
  default_org_limits: v.optional(v.pipe(LimitsSchema, v.description("Limits for each org on this model (anonymous callers share one bucket), unless the org sets org_limits"))),
  moderation: v.optional(ModerationSchema),
  ...rewrites,
  backends: v.pipe(
    v.record(v.string(), ModelBackendSchema),
    v.description("Named backends; names default:<weight>[:label] form the default pool"),
  ),
});

/** The `server` section. */
export const ServerSchema = v.strictObject({
  host: v.optional(v.pipe(v.string(), v.minLength(1), v.description("Listen address")), "127.0.0.1"),
  port: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(65535), v.description("Listen port (0: any free port)")), 8080),
  max_body_bytes: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.description("Largest request body accepted; larger ones get 413")), 32 * 1024 * 1024),
  max_response_bytes: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1024), v.description("Largest whole (non-stream) upstream answer the gateway holds in memory; a larger one is a 502")), 64 * 1024 * 1024),
  json_check_max_bytes: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.description("Bodies up to this size are fully parsed at the edge so malformed JSON gets a 400 here; larger ones are checked by framing and a top-level scan (see docs/config.md)")), 65536),
  access_log: v.optional(v.pipe(v.boolean(), v.description("Write one JSON access-log line per request to stdout")), true),
  log_level: v.optional(v.pipe(v.picklist(["debug", "info", "warn", "error"]), v.description("Least severe log line written to stderr (--log-level overrides it)")), "info"),
  log_format: v.optional(v.pipe(v.picklist(["auto", "json", "text"]), v.description("stderr log lines: JSON, readable text, or auto (text in a terminal, else JSON)")), "auto"),
  metrics: v.optional(v.pipe(v.boolean(), v.description("Serve Prometheus metrics on GET /metrics")), true),
  metrics_key: v.optional(v.pipe(v.string(SECRET_TYPE_MESSAGE), v.minLength(ADMIN_KEY_MIN, `the metrics key needs at least ${ADMIN_KEY_MIN} characters`), v.description("When set, GET /metrics needs this key (Bearer or x-api-key): model, org and backend names stay private (default: env OCTOLLM_METRICS_KEY, else open)"))),
  body_timeout_ms: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.description("A request body with content-length must arrive within this plus 1 s per 256 KiB; a chunked one may not pause longer than this. Past it: 408 (0: no limit)")), 30_000),
  shutdown_grace_ms: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.description("On SIGTERM/SIGINT: how long answers in flight may take to finish before the process exits")), 30_000),
  redis_url: v.optional(v.pipe(v.string(), v.regex(/^rediss?:\/\//, "must be a redis:// or rediss:// URL"), v.description("Share limit counters through this Redis (default: env REDIS_URL, else in memory)"))),
  redis_key_prefix: v.optional(v.pipe(v.string(), v.minLength(1), v.description("Prefix of every Redis key (to share one Redis between gateways or environments)")), "octollm:"),
  limits_on_store_error: v.optional(v.pipe(v.picklist(["open", "closed"]), v.description("When Redis cannot be reached: let requests through (open) or refuse them with 503 (closed)")), "open"),
  max_output_reservation: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.description("Most output tokens a request reserves against token limits before its real usage is known")), 4096),
  config_db: v.optional(v.pipe(v.string(), v.minLength(1), v.description("Read backends, models and users from this database: a SQLite path (sqlite://file.db) or postgres://… (this file then holds only `server`)"))),
  admin_key: v.optional(v.pipe(v.string(SECRET_TYPE_MESSAGE), v.minLength(ADMIN_KEY_MIN, `the admin key needs at least ${ADMIN_KEY_MIN} characters`), v.description("Key of the /admin API (database mode), sent as Bearer or x-api-key; default: env OCTOLLM_ADMIN_KEY"))),
  config_poll_ms: v.optional(v.pipe(v.number(), v.integer(), v.minValue(50), v.description("Database mode: how often the config version is polled (PostgreSQL also pushes changes with LISTEN/NOTIFY)")), 500),
  failover: v.optional(v.strictObject({
    max_attempts: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(10), v.description("Tries in all, on distinct backends (1: no retry)")), FAILOVER_DEFAULTS.maxAttempts),
    budget_ms: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.description("No new attempt starts later than this after the first")), FAILOVER_DEFAULTS.budgetMs),
    failure_threshold: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.description("Failures in a row that open a backend's circuit")), FAILOVER_DEFAULTS.failureThreshold),
    cooldown_ms: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.description("How long an open circuit rests before one probe request")), FAILOVER_DEFAULTS.cooldownMs),
  }), {}),
});

/** An organisation: its users' API keys and the models it lists (with its own rules). */
export const OrgSchema = v.strictObject({
  api_keys: v.optional(v.pipe(v.record(v.string(), v.pipe(v.string(SECRET_TYPE_MESSAGE), v.minLength(8, "API keys need at least 8 characters"))), v.description("User → API key")), {}),
  key_limits: v.optional(v.pipe(LimitsSchema, v.description("Limits for each API key of this org, across models"))),
  models: v.optional(v.pipe(
    v.record(v.string(), v.nullable(v.strictObject({
      rules: v.optional(v.array(RuleSchema), []),
      org_limits: v.optional(LimitsSchema),
      moderation: v.optional(v.pipe(ModerationSchema, v.description("This org's moderation settings, laid over the model's"))),
    }))),
    v.description("Models this org lists (private ones become usable), with rules run before the model's default rules"),
  ), {}),
});

const ConfigObject = v.strictObject({
  server: v.optional(ServerSchema, {}),
  backends: v.optional(v.record(v.string(), BackendSchema), {}),
  models: v.optional(v.pipe(v.record(v.string(), ModelSchema), v.description("Models the gateway exposes, by the name clients send")), {}),
  users: v.optional(v.pipe(v.record(v.string(), OrgSchema), v.description("The older name of orgs: (both work; use one)")), {}),
  /** Read as `users` by the loader before validation; here so that editors know the key. */
  orgs: v.optional(v.pipe(v.record(v.string(), OrgSchema), v.description("Organisations, their API keys and model rules (preferred name; users: is the older one)"))),
});

/** The whole config file. */
export const ConfigSchema = v.pipe(ConfigObject, v.rawCheck<v.InferOutput<typeof ConfigObject>>(crossChecks));

/** A validated config, defaults filled in. */
export type Config = v.InferOutput<typeof ConfigSchema>;
/** A backend definition as written in the config. */
export type BackendConfig = v.InferOutput<typeof BackendSchema>;
/** A model's backend as written in the config. */
export type ModelBackendConfig = v.InferOutput<typeof ModelBackendSchema>;
/** A backend profile as written in the config. */
export type ProfileConfig = v.InferOutput<typeof ProfileSchema>;
/** A rule as written in the config. */
export type RuleConfigOutput = v.InferOutput<typeof RuleSchema>;
/** Moderation settings as written in the config. */
export type ModerationConfig = v.InferOutput<typeof ModerationSchema>;
/** A model as written in the config. */
export type ModelConfig = v.InferOutput<typeof ModelSchema>;
