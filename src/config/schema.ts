// The config schema (valibot). Field names are the YAML's snake_case; every field says what it is.
import * as v from "valibot";
import { crossChecks } from "./checks";
import { SECRET_TYPE_MESSAGE } from "../core/config-fields";
import { BudgetSchema, PriceSchema } from "../engines/spend/config";
import { UPSTREAM_FIELDS } from "../engines/upstream/config";
import { ModerationSchema } from "../engines/moderation/config";
import { ServerSchema } from "./schema-server";
import { ProfileSchema } from "../engines/conversion/config";
import { REWRITE_FIELDS } from "../engines/rewrite/config";
import { LimitsSchema } from "../engines/limits/config";
import { BACKEND_APIS } from "../engines/conversion/halves/registry";
import { RuleSchema } from "../engines/rules/config";
import { MockSchema } from "../engines/mock/config";
import { parseSessionSource } from "../engines/balancer/affinity";

export { ADMIN_KEY_MIN, ServerSchema } from "./schema-server";
export { SECRET_TYPE_MESSAGE, isHttpUrl } from "../core/config-fields";
export { ModerationSchema } from "../engines/moderation/config";
export { ProfileSchema } from "../engines/conversion/config";
export { LimitsSchema } from "../engines/limits/config";
export { RuleSchema, RuleLimitsSchema, DenySchema } from "../engines/rules/config";

const APIS = BACKEND_APIS; // the APIs a backend may speak

const backendFields = {
  provider: v.optional(
    v.pipe(v.picklist(["http", "mock"]), v.description("http (default): an OpenAI/Anthropic-compatible API; mock: the built-in offline backend")),
  ),
  ...UPSTREAM_FIELDS,
  price: v.optional(v.pipe(PriceSchema, v.description("What this backend charges, USD per million tokens (default: the model catalog's price)"))),
  api: v.optional(
    v.pipe(
      v.union([v.picklist(APIS), v.pipe(v.array(v.picklist(APIS)), v.minLength(1), v.maxLength(4))]),
      v.description(
        "The API(s) the upstream speaks (openai-chat, anthropic-messages, openai-responses, google-gemini), in preference order: requests in one of them pass through, others are converted",
      ),
    ),
  ),
  model: v.optional(
    v.pipe(v.string(), v.minLength(1), v.maxLength(256), v.description("The model name sent upstream (default: the name the client asked for)")),
  ),
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
  affinity_keys: v.optional(
    v.pipe(
      v.array(
        v.pipe(
          v.string(),
          v.check((s) => parseSessionSource(s) !== undefined, "must be header:<name> or field:<path> (dots between keys)"),
        ),
      ),
      v.minLength(1),
      v.description(
        "Where affinity: session reads a request's session, first that names one wins (default: Claude Code's, Codex's and Gemini CLI's headers, then metadata.user_id, prompt_cache_key, user)",
      ),
    ),
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
