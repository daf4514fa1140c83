// The `moderation` section of a model or an org's model entry: its schema, its defaults, how an org's settings
// are laid over its model's (key by key), and the engine policy the effective settings make.
import * as v from "valibot";
import { httpUrl, secret } from "../../core/config-fields";
import { AllowedTexts } from "./input-windows";
import type { ModerationPolicy } from "./moderation-engine";
import { OpenAIModerator, WebhookModerator } from "./moderator";

/** Content moderation of a model (every key optional: an org's settings are laid over the model's). */
export const ModerationSchema = v.strictObject({
  enabled: v.optional(v.pipe(v.boolean(), v.description("false turns moderation off (e.g. for one org)"))),
  provider: v.optional(
    v.pipe(
      v.picklist(["openai", "webhook"]),
      v.description("openai: an OpenAI-compatible /v1/moderations; webhook: POST {text, direction, model, org} → {allow, reason}"),
    ),
  ),
  url: httpUrl("Full URL of the service, e.g. https://api.openai.com/v1/moderations"),
  api_key: secret("Sent as Bearer (use ${VAR})"),
  model: v.optional(v.pipe(v.string(), v.description("openai: the moderation model, e.g. omni-moderation-latest"))),
  thresholds: v.optional(
    v.pipe(
      v.record(v.string(), v.pipe(v.number(), v.minValue(0), v.maxValue(1))),
      v.description("openai: category → score at or above which it counts as flagged (instead of the service's own flag)"),
    ),
  ),
  timeout_ms: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.description("Deadline of one check (default 2000)"))),
  on_error: v.optional(
    v.pipe(v.picklist(["allow", "deny"]), v.description("When the service fails or is too slow: allow (fail open, default) or deny (fail closed: 503)")),
  ),
  input: v.optional(v.pipe(v.boolean(), v.description("Check the request before the upstream call (default true)"))),
  input_chars: v.optional(
    v.pipe(
      v.number(),
      v.integer(),
      v.minValue(1000),
      v.description(
        "All of the request's text is checked, in windows of at most this many characters (default 20000); windows allowed before are remembered and not sent again",
      ),
    ),
  ),
  input_max_checks: v.optional(
    v.pipe(
      v.number(),
      v.integer(),
      v.minValue(1),
      v.maxValue(1000),
      v.description(
        "Most service calls for one request's new text (default 16); past it the newest windows are checked and the rest counts as a service failure (on_error decides)",
      ),
    ),
  ),
  output: v.optional(v.pipe(v.boolean(), v.description("Check the answer before the client sees it (default true)"))),
  window_chars: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.description("Streams: characters of text per checked window (default 500)"))),
  window_chunks: v.optional(
    v.pipe(
      v.number(),
      v.integer(),
      v.minValue(0),
      v.description("Streams: also close a window after this many chunks with text (default 0: by characters only)"),
    ),
  ),
  window_ms: v.optional(
    v.pipe(
      v.number(),
      v.integer(),
      v.minValue(0),
      v.description("Streams: longest time text waits for its window to fill before it is checked anyway (default 1000; 0: no limit)"),
    ),
  ),
  on_flag: v.optional(
    v.pipe(
      v.picklist(["replace", "error"]),
      v.description("A flagged answer: replace its text (finish_reason content_filter / stop_reason refusal, default) or answer an error"),
    ),
  ),
  replacement: v.optional(v.pipe(v.string(), v.description("The text a flagged answer is replaced with"))),
});

/** Moderation settings as the config holds them. */
export type ModerationConfig = v.InferOutput<typeof ModerationSchema>;

/** Defaults of the moderation keys. */
export const MODERATION_DEFAULTS = {
  timeout_ms: 2000,
  on_error: "allow",
  input: true,
  input_chars: 20_000,
  input_max_checks: 16,
  output: true,
  window_chars: 500,
  window_ms: 1000,
  on_flag: "replace",
  replacement: "This response was withheld by content moderation.",
} as const;

/** The settings that apply to an org on a model (undefined: no moderation). */
export function effectiveModeration(model?: ModerationConfig, org?: ModerationConfig): ModerationConfig | undefined {
  const merged = model || org ? { ...model, ...org } : undefined;
  return merged && merged.enabled !== false ? merged : undefined;
}

/** What is wrong with effective settings (an empty list: nothing). */
export function moderationProblems(m: ModerationConfig): string[] {
  const out: string[] = [];
  if (!m.provider) out.push('moderation needs "provider" (openai or webhook)');
  if (!m.url) out.push('moderation needs "url"');
  if (m.provider === "webhook" && (m.thresholds || m.model)) out.push("thresholds and model are settings of provider: openai");
  if (m.input === false && m.output === false) out.push("moderation checks neither input nor output (use enabled: false)");
  return out;
}

/** The engine policy for effective settings. */
export function moderationPolicy(m: ModerationConfig): ModerationPolicy {
  const d = MODERATION_DEFAULTS;
  const http = { url: m.url!, apiKey: m.api_key || undefined, timeoutMs: m.timeout_ms ?? d.timeout_ms };
  return {
    moderator: m.provider === "webhook" ? new WebhookModerator(http) : new OpenAIModerator({ ...http, model: m.model, thresholds: m.thresholds }),
    failClosed: (m.on_error ?? d.on_error) === "deny",
    input:
      (m.input ?? d.input)
        ? { windowChars: m.input_chars ?? d.input_chars, maxChecks: m.input_max_checks ?? d.input_max_checks, allowed: new AllowedTexts() }
        : undefined,
    output:
      (m.output ?? d.output)
        ? {
            windowChars: m.window_chars ?? d.window_chars,
            windowChunks: m.window_chunks ?? 0,
            holdMs: m.window_ms ?? d.window_ms,
            onFlag: m.on_flag ?? d.on_flag,
            replacement: m.replacement ?? d.replacement,
          }
        : undefined,
  };
}
