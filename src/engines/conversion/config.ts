// A backend's `profile`: how an OpenAI-compatible backend differs from the reference, which the converters read;
// its schema, and the converters' profile it makes.
import * as v from "valibot";
import { EFFORTS, type BackendProfile } from "../../convert";
import { WebSearchSchema } from "../web-search/config";

const flag = (what: string) => v.optional(v.pipe(v.boolean(), v.description(what)));

/** How an OpenAI-compatible backend differs from the reference (used when converting to it). */
export const ProfileSchema = v.strictObject({
  max_tokens_field: v.optional(v.pipe(v.picklist(["max_tokens", "max_completion_tokens"]), v.description("Field for the output cap (default max_tokens)"))),
  max_output_tokens: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.description("Clamp max_tokens to this (0: no clamp)"))),
  stream_usage: flag("Send stream_options.include_usage (default true)"),
  reasoning_param: v.optional(
    v.pipe(
      v.picklist(["reasoning_effort", "openrouter", "thinking_object", "enable_thinking", "chat_template_kwargs", "none", "thinking_level", "thinking_budget"]),
      v.description(
        "How to switch reasoning on (default reasoning_effort; thinking_level and thinking_budget: Gemini backends, chosen by model name when unset)",
      ),
    ),
  ),
  reasoning_efforts: v.optional(
    v.pipe(
      v.array(v.picklist(EFFORTS)),
      v.minLength(1),
      v.description("Reasoning efforts the backend accepts; an asked effort is clamped to them (default: none, low, medium, high; Gemini: by model)"),
    ),
  ),
  session_cache_key: flag(
    "OpenAI chat and Responses backends reached by converted clients: the session (Claude Code's, Codex's, …) goes as prompt_cache_key when the request has none (default false: OpenAI reads it; other compatible servers may refuse an unknown field)",
  ),
  auto_cache: flag(
    "Anthropic backends reached by chat, Responses or Gemini clients: mark prompt-cache breakpoints (last tool, system, last two user turns) when the request has none (default true)",
  ),
  thought_signature_in_tool_id: flag(
    "Gemini backends: a chat client's tool call ids carry the model's thought signature, so its next turn sends it back (default false: the validator-skip value)",
  ),
  thinking_budget_min: v.optional(
    v.pipe(
      v.number(),
      v.integer(),
      v.minValue(0),
      v.maxValue(1_000_000),
      v.description("Gemini thinkingBudget backends: the smallest budget sent (default 128 for gemini-2.5-pro, else 0)"),
    ),
  ),
  reasoning_history: v.optional(
    v.pipe(v.picklist(["drop", "reasoning_content", "reasoning"]), v.description("Where earlier thinking goes in assistant messages (default drop)")),
  ),
  think_tags: flag("The backend writes <think>…</think> inside content"),
  vision: flag("Images are accepted (default true)"),
  pdf: flag("PDF files are accepted (default false)"),
  tool_name_max: v.optional(v.pipe(v.number(), v.integer(), v.minValue(16), v.maxValue(256), v.description("Longest tool name (default 64)"))),
  assistant_null_content: flag('content: null next to tool_calls (default true; false sends "")'),
  parallel_tool_calls_param: flag("parallel_tool_calls is accepted (default true)"),
  top_k: flag("top_k is accepted (default false)"),
  fixed_temperature: flag("Drop temperature and top_p (models that accept only their default)"),
  max_stop: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.description("Most stop sequences accepted (default 4)"))),
  safety_identifier: flag("Send a hash of metadata.user_id as safety_identifier (OpenAI)"),
  tool_streaming: v.optional(v.pipe(v.picklist(["buffered", "live"]), v.description("Tool calls in converted streams: emitted whole (default) or live"))),
  structured_output: v.optional(
    v.pipe(
      v.picklist(["output_config", "tool"]),
      v.description("api: anthropic-messages: a json_schema response_format as Anthropic's output_config.format (default) or as a tool the model must call"),
    ),
  ),
  web_search: v.optional(WebSearchSchema),
  length_finish: v.optional(
    v.pipe(
      v.picklist(["incomplete", "completed"]),
      v.description("Responses clients: a length stop ends with response.incomplete (default) or response.completed"),
    ),
  ),
  store_true: v.optional(
    v.pipe(v.picklist(["reject", "ignore"]), v.description("Responses clients on a converted backend: store: true refused (default) or served as if false")),
  ),
  hosted_tools: v.optional(
    v.pipe(
      v.picklist(["drop", "reject"]),
      v.description("Responses clients on a converted backend: OpenAI-hosted tools (web_search, …) dropped (default) or refused"),
    ),
  ),
  pass_cache_control: flag("Keep Anthropic cache_control on converted system and content parts (OpenRouter; default false)"),
  ping_interval_ms: v.optional(
    v.pipe(v.number(), v.integer(), v.minValue(0), v.description("Keep-alive ping on converted streams after this much silence (default 15000; 0: none)")),
  ),
});

/** A backend's profile as the config holds it. */
export type ProfileConfig = v.InferOutput<typeof ProfileSchema>;

/** A profile from config keys (snake_case) to the converters' fields. */
export function profileFromConfig(p: ProfileConfig = {}): Partial<BackendProfile> {
  const out: Partial<BackendProfile> = {
    maxTokensField: p.max_tokens_field,
    maxOutputTokens: p.max_output_tokens,
    streamUsage: p.stream_usage,
    reasoningParam: p.reasoning_param,
    reasoningEfforts: p.reasoning_efforts,
    thinkingBudgetMin: p.thinking_budget_min,
    thoughtSignatureInToolId: p.thought_signature_in_tool_id,
    autoCache: p.auto_cache,
    sessionCacheKey: p.session_cache_key,
    reasoningHistory: p.reasoning_history,
    thinkTags: p.think_tags,
    vision: p.vision,
    pdf: p.pdf,
    toolNameMax: p.tool_name_max,
    assistantNullContent: p.assistant_null_content,
    parallelToolCallsParam: p.parallel_tool_calls_param,
    topK: p.top_k,
    fixedTemperature: p.fixed_temperature,
    maxStop: p.max_stop,
    safetyIdentifier: p.safety_identifier,
    toolStreaming: p.tool_streaming,
    pingIntervalMs: p.ping_interval_ms,
    passCacheControl: p.pass_cache_control,
    lengthFinish: p.length_finish,
    storeTrue: p.store_true,
    hostedTools: p.hosted_tools,
  };
  for (const k of Object.keys(out) as (keyof BackendProfile)[]) if (out[k] === undefined) delete out[k];
  return out;
}
