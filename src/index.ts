// OctoLLM as a library: the public API, chosen name by name. Everything else stays importable from its module
// for the project's own tests and scripts, but is not part of what a library user can rely on.

// --- the gateway as one object ---
/** createGateway({source}) builds a whole gateway (reload, metrics, admin API, readiness, shutdown); Gateway.fetch() needs no port. */
export { Gateway, GatewayStartError, createGateway, type GatewayInit, type GatewaySource } from "./gateway";

// --- the engine contract ---
/** Engine: process(LLMRequest) → LLMResponse; engineFn wraps a function as one; LazyBody keeps the bytes a body came as. */
export {
  LazyBody,
  engineFn,
  newRequestContext,
  type Engine,
  type LLMRequest,
  type LLMResponse,
  type ApiFormat,
  type Protocol,
  type Caller,
  type RequestContext,
  type ModelListing,
} from "./core";
/** A streamed answer: the upstream bytes, the stages engines add (conversion, moderation, rewrites), observers; run once. */
export {
  StreamPipeline,
  type StreamStage,
  type TextStage,
  type EventStage,
  type StageOutput,
  type StageFailure,
  type StreamOutcome,
  type UsageMeter,
  type RunningStream,
} from "./core";
/** The gateway's one error type (rendered in the caller's protocol), and what a stream failure means. */
export { GatewayError, StreamIdleTimeout, type ErrorKind, type GatewayErrorOptions } from "./core";
/** Server-sent events: a parser that is correct across any chunk split, and a writer. */
export { SseEvent, SseParser, formatSse } from "./core";
/** The process logger (redacts secrets) and its levels. */
export { log, Logger, type LogLevel, type LogFormat } from "./core";

// --- engines ---
/** An OpenAI- or Anthropic-compatible HTTP upstream, and the built-in offline mock. */
export { HttpUpstreamEngine, type HttpUpstreamOptions } from "./engines";
export { MockEngine, type MockOptions } from "./engines";
/** Smooth weighted round-robin with failover and per-backend circuit breakers. */
export { BalancerEngine, CircuitBreaker, FAILOVER_DEFAULTS, type Backend, type BalancerTarget, type FailoverOptions } from "./engines";
/** Routing by model name, API-key auth, and one model with access, rules, limits and moderation. */
export { ModelRouterEngine, AuthEngine, ApiKeys, ModelEngine, AccessPolicy, type ModelEngineOptions, type ModelLimits, type Access } from "./engines";
/** Rules (filtrex expressions over the request) and JSON rewrites of requests, answers and stream chunks. */
export { Rule, type RuleConfig, type DenyConfig } from "./engines";
export { RewriteEngine, RewritePolicy, type RewriteOptions, type RewritePolicyConfig } from "./engines";
/** Protocol conversion: a client of any API on a backend of any other (ConversionEngine), and its pairs by name. */
export {
  ConversionEngine,
  MessagesFromChatEngine,
  ChatFromMessagesEngine,
  ResponsesFromChatEngine,
  ChatFromResponsesEngine,
  ThinkingFilterEngine,
  type ConversionOptions,
  type ChatFromMessagesOptions,
} from "./engines";
/** Rate limits: the limiter, and its counters in memory or in Redis. */
export { Limiter, MemoryLimitStore, RedisLimitStore, type Limits, type LimitStore, type LimiterOptions } from "./engines";
/** Content moderation: an engine around any other, and the two service clients. */
export { OpenAIModerator, WebhookModerator, type ModerationPolicy, type Moderator, type Verdict } from "./engines";

// --- configuration ---
/** Loading and validating a config (every problem with its line and column), and building engines from it. */
export {
  loadConfigFile,
  loadConfigText,
  formatProblem,
  buildGateway,
  configJsonSchema,
  type Config,
  type ConfigProblem,
  type LoadResult,
  type BuiltGateway,
} from "./config";

// --- serving ---
/** Handlers to mount engines on your own Bun.serve, the gateway's own server, and the access log. */
export {
  startServer,
  llmHandler,
  chatCompletionsHandler,
  messagesHandler,
  AccessLog,
  type ServerOptions,
  type HandlerOptions,
  type RouteHandler,
  type GatewayState,
  type AccessRecord,
  type LineSink,
} from "./server";
/** Prometheus metrics of a gateway. */
export { GatewayMetrics, type MetricsSources } from "./metrics";
/** A gateway error as the caller's protocol renders it (a body, or an in-stream event). */
export { renderError, renderErrorEvent } from "./protocols";
