// The `moderation` section of a model or an org's model entry.
import * as v from "valibot";
import { httpUrl, secret } from "./schema-fields";

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
