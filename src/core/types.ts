import type { LazyBody } from "./body";
import type { RequestContext } from "./context";
import type { StreamPipeline } from "./stream-pipeline";

/** The API a request speaks, which decides its upstream path, auth and error shape. */
export type ApiFormat =
  | "openai.chat"
  | "openai.responses"
  | "openai.responses.input_tokens"
  | "openai.responses.compact"
  /** GET / DELETE /v1/responses/{id}, POST …/cancel, GET …/input_items (the path says which). */
  | "openai.responses.item"
  | "anthropic.messages"
  | "anthropic.count_tokens"
  /** POST /{v}/models/{name}:generateContent (the model is in the path). */
  | "gemini.generate"
  /** POST /{v}/models/{name}:streamGenerateContent. */
  | "gemini.stream"
  /** POST /{v}/models/{name}:countTokens. */
  | "gemini.count_tokens";

const GENERATING: ReadonlySet<ApiFormat> = new Set([
  "openai.chat",
  "openai.responses",
  "openai.responses.compact",
  "anthropic.messages",
  "gemini.generate",
  "gemini.stream",
]);

/** True for the formats whose answers generate (and bill) tokens; token counts and stored-response reads do not. */
export function generatesTokens(format: ApiFormat): boolean {
  return GENERATING.has(format);
}

/** The APIs the gateway speaks, by the names a backend's `api:` takes in the config. */
export const API_NAMES = ["openai-chat", "anthropic-messages", "openai-responses", "google-gemini"] as const;

/** One of API_NAMES. */
export type Api = (typeof API_NAMES)[number];

/** The wire protocol family of an API: its error shapes and its auth headers. */
export type Protocol = "openai" | "anthropic" | "google";

/** Each format's API: a Record, so a new format does not compile until it names its API (no prefix tests). */
const API_OF: Readonly<Record<ApiFormat, Api>> = {
  "openai.chat": "openai-chat",
  "openai.responses": "openai-responses",
  "openai.responses.input_tokens": "openai-responses",
  "openai.responses.compact": "openai-responses",
  "openai.responses.item": "openai-responses",
  "anthropic.messages": "anthropic-messages",
  "anthropic.count_tokens": "anthropic-messages",
  "gemini.generate": "google-gemini",
  "gemini.stream": "google-gemini",
  "gemini.count_tokens": "google-gemini",
};

/** Every request format, in one list (for tests and tables that must cover them all). */
export const API_FORMATS = Object.keys(API_OF) as readonly ApiFormat[];

const PROTOCOL_OF: Readonly<Record<Api, Protocol>> = {
  "openai-chat": "openai",
  "openai-responses": "openai",
  "anthropic-messages": "anthropic",
  "google-gemini": "google",
};

/** The API a format belongs to. */
export function apiOf(format: ApiFormat): Api {
  return API_OF[format];
}

/** Maps a format to its protocol family. */
export function protocolOf(format: ApiFormat): Protocol {
  return PROTOCOL_OF[API_OF[format]];
}

/** Tokens of one answer: input (cache reads and writes included) and output. */
export interface TokenUsage {
  input: number;
  output: number;
  /** Of the input: tokens read from a prompt cache, and written to one (when the answer said). */
  cacheRead?: number;
  cacheWrite?: number;
}

/** A request as engines see it: format, headers, lazy body, and a signal that fires when the client goes away. */
export interface LLMRequest {
  readonly format: ApiFormat;
  /** Path and query the client used, e.g. "/v1/messages?beta=true". */
  readonly path: string;
  /** The client's request headers (engines must not forward credentials). */
  readonly headers: Headers;
  readonly body: LazyBody;
  readonly signal: AbortSignal;
  readonly ctx: RequestContext;
  /** The HTTP method, when not POST (the Responses item endpoints). */
  readonly method?: "GET" | "DELETE" | "POST";
}

/** A response: status, headers, and a JSON body, a raw byte stream, or nothing. */
export interface LLMResponse {
  readonly status: number;
  readonly headers: Headers;
  /** A parsed-on-demand JSON body (for non-streaming answers built or changed by an engine). */
  readonly body?: LazyBody;
  /** A streamed answer: the upstream bytes and the stages engines added; whoever sends the answer runs it. */
  readonly stream?: StreamPipeline;
  /** The status the upstream itself answered with, kept by converters that map it to another (undefined: `status` is it). */
  readonly upstreamStatus?: number;
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

/** One entry of GET /v1/models. */
export interface ModelListing {
  id: string;
  /** The name to show people (Anthropic's `display_name`). */
  displayName: string;
}

/**
 * The parts of a stored-response path, /v1/responses/{id}[/cancel|/input_items] (query allowed): the id and what
 * follows it after /v1/responses (for the upstream URL); undefined for anything else, so no other path gets through.
 */
export function responseItemPath(path: string): { id: string; sub: "" | "/cancel" | "/input_items"; suffix: string } | undefined {
  const m = /^\/v1\/responses\/([A-Za-z0-9_-]{1,128})(\/cancel|\/input_items)?(?:\?|$)/.exec(path);
  if (!m) return undefined;
  const sub = (m[2] ?? "") as "" | "/cancel" | "/input_items";
  return { id: m[1]!, sub, suffix: `/${m[1]}${sub}` };
}
