// Thinking toward a Gemini backend: a hub reasoning effort as thinkingConfig, a level (Gemini 3 and later) or a
// budget (2.5), clamped to what the model accepts.
import { clampEffort, EFFORTS } from "../efforts";
import type { BackendProfile } from "../profile";

type Body = Record<string, any>;

const EFFORT_LEVEL: Record<string, string> = { none: "MINIMAL", minimal: "MINIMAL", low: "LOW", medium: "MEDIUM", high: "HIGH", xhigh: "HIGH", max: "HIGH" };
const EFFORT_BUDGET: Record<string, number> = { none: 0, minimal: 512, low: 1024, medium: 8192, high: 24576, xhigh: 24576, max: 24576 };

const bare = (model: string) => model.replace(/^models\//, "");

/** Whether the backend takes `thinkingLevel` rather than `thinkingBudget`: the profile's choice, else by model name. */
export function usesThinkingLevel(profile: BackendProfile, model: string): boolean {
  if (profile.reasoningParam === "thinking_level") return true;
  if (profile.reasoningParam === "thinking_budget") return false;
  return /^gemini-([3-9]|\d\d)/.test(bare(model));
}

/**
 * The efforts a Gemini model accepts when the profile names none: every one on budgets (each has a budget); by level,
 * Gemini 3 Pro takes LOW and HIGH only, later Pro models cannot stop thinking (no MINIMAL), Flash takes all four.
 */
export function geminiEfforts(model: string, level: boolean): readonly string[] {
  const name = bare(model);
  if (!level) return EFFORTS;
  if (/^gemini-3-pro/.test(name)) return ["low", "high"];
  if (/-pro/.test(name)) return ["low", "medium", "high"];
  return ["none", "minimal", "low", "medium", "high"];
}

/** The thinkingConfig for an asked effort; `maxOutput` bounds a budget (Gemini wants it below the output cap). */
export function thinkingConfig(asked: string, profile: BackendProfile, model: string, maxOutput: unknown): Body {
  const level = usesThinkingLevel(profile, model);
  const effort = clampEffort(asked, profile.reasoningEfforts ?? geminiEfforts(model, level));
  let out: Body;
  if (level) out = { thinkingLevel: EFFORT_LEVEL[effort] ?? "MEDIUM" };
  else {
    const min = profile.thinkingBudgetMin ?? (/^gemini-2\.5-pro/.test(bare(model)) ? 128 : 0);
    const cap = typeof maxOutput === "number" ? Math.max(0, maxOutput - 1) : Number.POSITIVE_INFINITY;
    out = { thinkingBudget: Math.max(min, Math.min(EFFORT_BUDGET[effort] ?? 8192, cap)) };
  }
  if (asked !== "none") out.includeThoughts = true; // thought summaries come back as reasoning text
  return out;
}
