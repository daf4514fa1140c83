// Moderation settings: an org's are laid over its model's, key by key; defaults fill the rest.
import { AllowedTexts, OpenAIModerator, WebhookModerator, type ModerationPolicy } from "../engines";
import type { ModerationConfig } from "./schema";

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
