// The config schema (valibot). Field names are the YAML's snake_case; every field says what it is.
import * as v from "valibot";
import { crossChecks } from "./checks";

const path = (what: string) =>
  v.optional(v.pipe(v.string(), v.startsWith("/", "must start with /"), v.description(`Upstream path for ${what}`)));
const ms = (what: string) =>
  v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.description(what)));

/** Settings of the built-in mock backend. */
export const MockSchema = v.strictObject({
  text: v.optional(v.pipe(v.string(), v.description("Fixed reply text (default: a greeting that echoes the last user message)"))),
  chunks: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(10_000), v.description("About how many stream chunks carry the text (default 8)"))),
  latency_ms: ms("Delay before the answer starts"),
  chunk_delay_ms: ms("Delay between stream chunks"),
});

const backendFields = {
  provider: v.optional(v.pipe(v.picklist(["http", "mock"]), v.description("http (default): an OpenAI/Anthropic-compatible API; mock: the built-in offline backend"))),
  base_url: v.optional(v.pipe(v.string(), v.url("must be a URL"), v.description("Base URL that the url_path_* paths are appended to"))),
  url_path_chat: path("OpenAI chat completions (default /v1/chat/completions)"),
  url_path_messages: path("Anthropic messages (default /v1/messages)"),
  url_path_count_tokens: path("Anthropic count_tokens (default /v1/messages/count_tokens)"),
  api_key: v.optional(v.pipe(v.string(), v.description("Upstream API key (default: env OCTOLLM_API_KEY)"))),
  anthropic_api_key_as_bearer: v.optional(v.pipe(v.boolean(), v.description("Send the key to Anthropic-format endpoints as Authorization: Bearer instead of x-api-key"))),
  extra_headers: v.optional(v.pipe(v.record(v.string(), v.string()), v.description("Headers added to every upstream request"))),
  http_proxy: v.optional(v.pipe(v.string(), v.url("must be a URL"), v.description("HTTP(S) proxy for upstream requests"))),
  connect_timeout_ms: ms("TCP connect deadline for an origin with no recent answer (default 10000; 0: none)"),
  first_byte_timeout_ms: ms("Deadline for the upstream's response headers (default 600000; 0: none)"),
  idle_timeout_ms: ms("Longest silence between two response chunks (default 300000; 0: none)"),
  mock: v.optional(MockSchema),
};

/** A reusable upstream definition under `backends`. */
export const BackendSchema = v.strictObject(backendFields);

/** A backend of a model: inline, or `use: <global backend>` with field-by-field overrides. */
export const ModelBackendSchema = v.strictObject({
  use: v.optional(v.pipe(v.string(), v.description("Name of a global backend to inherit from"))),
  ...backendFields,
});

/** An exposed model. */
export const ModelSchema = v.strictObject({
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
  json_check_max_bytes: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.description("Bodies up to this size are fully parsed at the edge so malformed JSON gets a 400 here; larger ones are checked by framing and a top-level scan (see docs/config.md)")), 65536),
  access_log: v.optional(v.pipe(v.boolean(), v.description("Write one JSON access-log line per request to stdout")), true),
});

const ConfigObject = v.strictObject({
  server: v.optional(ServerSchema, {}),
  backends: v.optional(v.record(v.string(), BackendSchema), {}),
  models: v.pipe(v.record(v.string(), ModelSchema), v.description("Models the gateway exposes, by the name clients send")),
});

/** The whole config file. */
export const ConfigSchema = v.pipe(ConfigObject, v.rawCheck<v.InferOutput<typeof ConfigObject>>(crossChecks));

/** A validated config, defaults filled in. */
export type Config = v.InferOutput<typeof ConfigSchema>;
/** A backend definition as written in the config. */
export type BackendConfig = v.InferOutput<typeof BackendSchema>;
/** A model's backend as written in the config. */
export type ModelBackendConfig = v.InferOutput<typeof ModelBackendSchema>;
