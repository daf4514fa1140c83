// The config schema (valibot). Field names are the YAML's snake_case; every field says what it is.
import * as v from "valibot";
import { API_NAMES } from "../core";
import { crossChecks } from "./checks";
import { SECRET_TYPE_MESSAGE, httpUrl, secret } from "../core/config-fields";
import { BudgetSchema, PriceSchema } from "../engines/spend/config";
import { ModerationSchema } from "../engines/moderation/config";
import { ServerSchema } from "./schema-server";
import { ProfileSchema } from "../engines/conversion/config";
import { REWRITE_FIELDS } from "../engines/rewrite/config";
import { LimitsSchema } from "../engines/limits/config";
import { RuleSchema } from "../engines/rules/config";
import { MockSchema } from "../engines/mock/config";

export { ADMIN_KEY_MIN, ServerSchema } from "./schema-server";
export { SECRET_TYPE_MESSAGE, isHttpUrl } from "../core/config-fields";
export { ModerationSchema } from "../engines/moderation/config";
export { ProfileSchema } from "../engines/conversion/config";
export { LimitsSchema } from "../engines/limits/config";
export { RuleSchema, RuleLimitsSchema, DenySchema } from "../engines/rules/config";

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

const APIS = API_NAMES;

const backendFields = {
  provider: v.optional(
    v.pipe(v.picklist(["http", "mock"]), v.description("http (default): an OpenAI/Anthropic-compatible API; mock: the built-in offline backend")),
  ),
  base_url: httpUrl("Base URL that the url_path_* paths are appended to (http:// or https://)"),
  url_path_chat: path("OpenAI chat completions (default /v1/chat/completions)"),
  url_path_messages: path("Anthropic messages (default /v1/messages)"),
  url_path_responses: path("OpenAI Responses (default /v1/responses)"),
  price: v.optional(v.pipe(PriceSchema, v.description("What this backend charges, USD per million tokens (default: the model catalog's price)"))),
  api: v.optional(
    v.pipe(
      v.union([v.picklist(APIS), v.pipe(v.array(v.picklist(APIS)), v.minLength(1), v.maxLength(3))]),
      v.description("The API(s) the upstream speaks, in preference order: requests in one of them pass through, others are converted"),
    ),
  ),
  url_path_count_tokens: path("Anthropic count_tokens (default /v1/messages/count_tokens)"),
  api_key: secret("Upstream API key (written but empty, e.g. ${KEY:-}: no key; not written: env OCTOLLM_API_KEY)"),
  model: v.optional(
    v.pipe(v.string(), v.minLength(1), v.maxLength(256), v.description("The model name sent upstream (default: the name the client asked for)")),
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
  mock: v.optional(MockSchema),
  convert_to_messages: v.optional(v.pipe(v.literal("from_chat"), v.description("The older spelling of api: openai-chat"))),
  convert_to_chat: v.optional(v.pipe(v.literal("from_messages"), v.description("The older spelling of api: anthropic-messages"))),
  profile: v.optional(ProfileSchema),
  ...REWRITE_FIELDS,
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
  display_name: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(256), v.description("The name /v1/models shows (default: the model name)"))),
  list_as: v.optional(
    v.pipe(
      v.array(v.pipe(v.string(), v.minLength(1), v.maxLength(256))),
      v.description("For a pattern model (a name with *): the names /v1/models lists for it (default: none)"),
    ),
  ),
  affinity: v.optional(
    v.pipe(v.picklist(["none", "session"]), v.description("session: keep one session's requests on one pool backend while it is healthy")),
    "none",
  ),
  access: v.optional(
    v.pipe(v.picklist(["public", "internal", "private"]), v.description("public: anyone; internal: any valid key; private: orgs that list the model")),
    "public",
  ),
  default_rules: v.optional(v.pipe(v.array(RuleSchema), v.description("Rules for every caller, after the caller's org rules")), []),
  default_org_limits: v.optional(
    v.pipe(LimitsSchema, v.description("Limits for each org on this model (anonymous callers share one bucket), unless the org sets org_limits")),
  ),
  moderation: v.optional(ModerationSchema),
  ...REWRITE_FIELDS,
  backends: v.pipe(v.record(v.string(), ModelBackendSchema), v.description("Named backends; names default:<weight>[:label] form the default pool")),
});

/** An organisation: its users' API keys and the models it lists (with its own rules). */
export const OrgSchema = v.strictObject({
  api_keys: v.optional(
    v.pipe(v.record(v.string(), v.pipe(v.string(SECRET_TYPE_MESSAGE), v.minLength(8, "API keys need at least 8 characters"))), v.description("User → API key")),
    {},
  ),
  key_limits: v.optional(v.pipe(LimitsSchema, v.description("Limits for each API key of this org, across models"))),
  budgets: v.optional(v.pipe(BudgetSchema, v.description("What this org may spend, across models"))),
  key_budgets: v.optional(v.pipe(BudgetSchema, v.description("What each API key of this org may spend, across models"))),
  models: v.optional(
    v.pipe(
      v.record(
        v.string(),
        v.nullable(
          v.strictObject({
            rules: v.optional(v.array(RuleSchema), []),
            org_limits: v.optional(LimitsSchema),
            budgets: v.optional(v.pipe(BudgetSchema, v.description("What this org may spend on this model"))),
            moderation: v.optional(v.pipe(ModerationSchema, v.description("This org's moderation settings, laid over the model's"))),
          }),
        ),
      ),
      v.description("Models this org lists (private ones become usable), with rules run before the model's default rules"),
    ),
    {},
  ),
});

const ConfigObject = v.strictObject({
  server: v.optional(ServerSchema, {}),
  backends: v.optional(v.record(v.string(), BackendSchema), {}),
  models: v.optional(v.pipe(v.record(v.string(), ModelSchema), v.description("Models the gateway exposes, by the name clients send")), {}),
  users: v.optional(v.pipe(v.record(v.string(), OrgSchema), v.description("The older name of orgs: (both work; use one)")), {}),
  /** Read as `users` by the loader before validation; here so that editors know the key. */
  orgs: v.optional(
    v.pipe(v.record(v.string(), OrgSchema), v.description("Organisations, their API keys and model rules (preferred name; users: is the older one)")),
  ),
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
export type { ProfileConfig } from "../engines/conversion/config";
/** Moderation settings as written in the config. */
export type { ModerationConfig } from "../engines/moderation/config";
/** A model as written in the config. */
export type ModelConfig = v.InferOutput<typeof ModelSchema>;
