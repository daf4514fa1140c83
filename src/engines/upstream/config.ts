// The keys of an HTTP backend (where it is, which paths, which key, which headers, how long to wait): their schema,
// and the upstream engine they make.
import * as v from "valibot";
import { SECRET_TYPE_MESSAGE, httpUrl } from "../../core/config-fields";
import type { ApiFormat, Logger } from "../../core";
import { HttpUpstreamEngine } from "./http-upstream";

/** An HTTP header name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** A header value: no CR, LF or NUL (they would split or cut the request). */
const HEADER_VALUE = /^[^\r\n\0]*$/;
const headers = (what: string) =>
  v.optional(
    v.pipe(
      v.record(
        v.pipe(v.string(), v.regex(HEADER_NAME, "must be a valid header name (letters, digits and !#$%&'*+.^_`|~-, no spaces)")),
        v.pipe(v.string(), v.regex(HEADER_VALUE, "a header value may not hold CR, LF or NUL")),
      ),
      v.description(what),
    ),
  );

const path = (what: string) => v.optional(v.pipe(v.string(), v.startsWith("/", "must start with /"), v.description(`Upstream path for ${what}`)));
const ms = (what: string) => v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.description(what)));

/** The keys of an HTTP backend. */
export const UPSTREAM_FIELDS = {
  base_url: httpUrl("Base URL that the url_path_* paths are appended to (http:// or https://)"),
  url_path_chat: path("OpenAI chat completions (default /v1/chat/completions)"),
  url_path_messages: path("Anthropic messages (default /v1/messages)"),
  url_path_responses: path("OpenAI Responses (default /v1/responses)"),
  url_path_count_tokens: path("Anthropic count_tokens (default /v1/messages/count_tokens)"),
  url_path_gemini: v.optional(
    v.pipe(
      v.string(),
      v.startsWith("/", "must start with /"),
      v.check((t) => t.includes("{model}") && t.includes("{method}"), "must hold {model} and {method}"),
      v.description(
        "Upstream path template for Gemini calls: {model}, {method} and {version} (the client's; v1beta on converted routes) are filled in (default /{version}/models/{model}:{method})",
      ),
    ),
  ),
  api_key: v.optional(
    v.union([
      v.pipe(v.string(SECRET_TYPE_MESSAGE), v.description("Upstream API key (written but empty, e.g. ${KEY:-}: no key; not written: env OCTOLLM_API_KEY)")),
      v.pipe(
        v.array(v.string(SECRET_TYPE_MESSAGE)),
        v.minLength(1),
        v.maxLength(64),
        v.description("Several upstream keys: each session keeps one (its provider cache and rate buckets stay warm); requests without a session take turns"),
      ),
    ]),
  ),
  auth: v.optional(
    v.pipe(
      v.picklist(["gateway", "client"]),
      v.description("gateway (default): send this backend's api_key; client: forward the client's own Authorization / x-api-key to this backend only"),
    ),
  ),
  anthropic_api_key_as_bearer: v.optional(
    v.pipe(v.boolean(), v.description("Send the key to Anthropic-format endpoints as Authorization: Bearer instead of x-api-key")),
  ),
  extra_headers: headers("Headers added to every upstream request"),
  http_proxy: httpUrl("HTTP(S) proxy for upstream requests (http:// or https://)"),
  connect_timeout_ms: ms("TCP connect deadline for an origin with no recent answer (default 10000; 0: none)"),
  first_byte_timeout_ms: ms("Deadline for the upstream's response headers (default 600000; 0: none)"),
  idle_timeout_ms: ms("Longest silence between two response chunks (default 300000; 0: none)"),
};

/** An HTTP backend's keys as the config holds them. */
export type UpstreamConfig = { [K in keyof typeof UPSTREAM_FIELDS]?: v.InferOutput<(typeof UPSTREAM_FIELDS)[K]> };

/** The Gemini formats' paths from a url_path_gemini template (none: the defaults). */
function geminiPaths(template: string | undefined): Partial<Record<ApiFormat, string>> {
  if (!template) return {};
  const at = (method: string) => template.replaceAll("{method}", method); // {model} and {version} are filled per request
  return { "gemini.generate": at("generateContent"), "gemini.stream": at("streamGenerateContent"), "gemini.count_tokens": at("countTokens") };
}

/** Defaults for upstream timeouts, in ms. */
export const TIMEOUT_DEFAULTS = { connect: 10_000, firstByte: 600_000, idle: 300_000 } as const;

/** The upstream engine of an HTTP backend; `apiKeys` are the keys it sends (resolved by the config: env fallback, empty = none). */
export function httpUpstream(b: UpstreamConfig, apiKeys: string[], maxResponseBytes: number | undefined, logger: Logger): HttpUpstreamEngine {
  return new HttpUpstreamEngine({
    baseUrl: b.base_url!,
    paths: {
      "openai.chat": b.url_path_chat,
      "openai.responses": b.url_path_responses,
      "anthropic.messages": b.url_path_messages,
      "anthropic.count_tokens": b.url_path_count_tokens,
      ...geminiPaths(b.url_path_gemini),
    },
    apiKeys,
    anthropicApiKeyAsBearer: b.anthropic_api_key_as_bearer,
    extraHeaders: b.extra_headers,
    httpProxy: b.http_proxy,
    connectTimeoutMs: b.connect_timeout_ms ?? TIMEOUT_DEFAULTS.connect,
    firstByteTimeoutMs: b.first_byte_timeout_ms ?? TIMEOUT_DEFAULTS.firstByte,
    idleTimeoutMs: b.idle_timeout_ms ?? TIMEOUT_DEFAULTS.idle,
    maxResponseBytes,
    logger,
    clientAuth: b.auth === "client",
  });
}
