// Reasoning efforts clamped to what a backend accepts (profile.reasoning_efforts), and thinking toward Gemini
// backends: a level or a budget by model name or profile, clamped per model.
import { describe, expect, test } from "bun:test";
import { loadConfigText } from "../../src/config";
import { clampEffort, DEFAULT_EFFORTS, EFFORTS, emitReasoning, hubToGeminiRequest, makeProfile } from "../../src/convert";
import { rng } from "../helpers/random";

const gemini = (model: string, effort: string, fields = {}, extra = {}) =>
  hubToGeminiRequest({ model, messages: [{ role: "user", content: "hi" }], reasoning_effort: effort, ...extra }, makeProfile(fields)).body.generationConfig
    .thinkingConfig;

describe("clampEffort", () => {
  test("accepted efforts pass; minimal goes up to the cheapest that reasons; others go down, or up to the lowest", () => {
    expect(EFFORTS.map((e) => clampEffort(e, DEFAULT_EFFORTS))).toEqual(["none", "low", "low", "medium", "high", "high", "high"]);
    expect(EFFORTS.map((e) => clampEffort(e, ["low", "high"]))).toEqual(["low", "low", "low", "low", "high", "high", "high"]);
    expect(clampEffort("xhigh", ["minimal", "low", "medium", "high", "xhigh"])).toBe("xhigh");
    expect(clampEffort("extreme", ["low", "medium", "high"])).toBe("medium"); // a word the hub does not know
    expect(clampEffort("high", [])).toBe("high");
  });

  test("property: the result is always accepted, never above the ask unless nothing accepted is at or below it", () => {
    const rand = rng(7);
    for (let i = 0; i < 2000; i++) {
      const accepted = EFFORTS.filter(() => rand() < 0.4);
      if (!accepted.length) continue;
      const asked = EFFORTS[Math.floor(rand() * EFFORTS.length)]!;
      const out = clampEffort(asked, accepted);
      expect(accepted).toContain(out as (typeof EFFORTS)[number]);
      const rank = (e: string) => EFFORTS.indexOf(e as (typeof EFFORTS)[number]);
      const atOrBelow = accepted.filter((e) => rank(e) <= rank(asked) && !(asked === "minimal" && e === "none"));
      if (asked !== "minimal" && atOrBelow.length) expect(out).toBe(atOrBelow.at(-1)!);
    }
  });
});

describe("emitReasoning", () => {
  test("a profile's efforts clamp what is sent; none turns reasoning off for every parameter that has an off", () => {
    const out = (effort: string | undefined, fields = {}) => {
      const o: Record<string, unknown> = {};
      emitReasoning(o, effort, undefined, makeProfile(fields));
      return o;
    };
    expect(out("xhigh")).toEqual({ reasoning_effort: "high" });
    expect(out("minimal")).toEqual({ reasoning_effort: "low" });
    expect(out("none")).toEqual({ reasoning_effort: "none" });
    expect(out("xhigh", { reasoningEfforts: ["minimal", "low", "medium", "high", "xhigh"] })).toEqual({ reasoning_effort: "xhigh" });
    expect(out("minimal", { reasoningEfforts: ["minimal", "low", "medium", "high"] })).toEqual({ reasoning_effort: "minimal" });
    expect(out("none", { reasoningParam: "thinking_object" })).toEqual({ thinking: { type: "disabled" } });
    expect(out("none", { reasoningParam: "openrouter" })).toEqual({ reasoning: { enabled: false } });
    expect(out("none", { reasoningParam: "enable_thinking" })).toEqual({ enable_thinking: false });
    expect(out("high", { reasoningParam: "chat_template_kwargs" })).toEqual({ chat_template_kwargs: { enable_thinking: true } });
  });
});

describe("thinking toward Gemini", () => {
  test("Gemini 3 Pro takes LOW and HIGH only: medium goes down, none and minimal up; thoughts only when asked", () => {
    expect(gemini("gemini-3-pro-preview", "medium")).toEqual({ thinkingLevel: "LOW", includeThoughts: true });
    expect(gemini("gemini-3-pro-preview", "none")).toEqual({ thinkingLevel: "LOW" });
    expect(gemini("gemini-3-pro-preview", "minimal")).toEqual({ thinkingLevel: "LOW", includeThoughts: true });
    expect(gemini("gemini-3-pro-preview", "xhigh")).toEqual({ thinkingLevel: "HIGH", includeThoughts: true });
    expect(gemini("models/gemini-3.1-pro-preview", "none")).toEqual({ thinkingLevel: "LOW" }); // Pro cannot stop thinking
    expect(gemini("gemini-3.1-pro-preview", "medium")).toEqual({ thinkingLevel: "MEDIUM", includeThoughts: true });
  });

  test("Gemini 3 Flash takes every level; a profile's list wins over the model's", () => {
    expect(gemini("gemini-3-flash-preview", "none")).toEqual({ thinkingLevel: "MINIMAL" });
    expect(gemini("gemini-3-flash-preview", "minimal")).toEqual({ thinkingLevel: "MINIMAL", includeThoughts: true });
    expect(gemini("gemini-3-flash-preview", "medium", { reasoningEfforts: ["low", "high"] })).toEqual({ thinkingLevel: "LOW", includeThoughts: true });
  });

  test("budgets on 2.5 (or by profile): 2.5 Pro never below 128, a configured minimum, bounded by the output cap", () => {
    expect(gemini("gemini-2.5-pro", "none")).toEqual({ thinkingBudget: 128 });
    expect(gemini("gemini-2.5-flash", "none")).toEqual({ thinkingBudget: 0 });
    expect(gemini("gemini-2.5-flash", "none", { thinkingBudgetMin: 256 })).toEqual({ thinkingBudget: 256 });
    expect(gemini("gemini-2.5-flash", "high", {}, { max_tokens: 2000 })).toEqual({ thinkingBudget: 1999, includeThoughts: true });
    expect(gemini("my-gemini-alias", "low", { reasoningParam: "thinking_budget" })).toEqual({ thinkingBudget: 1024, includeThoughts: true });
    expect(gemini("gemini-2.5-flash", "high", { reasoningParam: "thinking_level" })).toEqual({ thinkingLevel: "HIGH", includeThoughts: true });
  });
});

describe("config", () => {
  const load = (backend: string) =>
    loadConfigText(`backends:\n  b: { base_url: "http://127.0.0.1:1", ${backend} }\nmodels:\n  m: { backends: { "default:1": { use: b } } }\n`, {});
  const messages = (r: ReturnType<typeof load>) => (r.ok ? [] : [...new Set(r.problems.map((p) => p.message))]);

  test("reasoning_efforts names known efforts; thinking_level and thinking_budget need a Gemini backend", () => {
    expect(load("api: openai-chat, profile: { reasoning_efforts: [low, high, xhigh] }").ok).toBe(true);
    expect(load("api: openai-chat, profile: { reasoning_efforts: [] }").ok).toBe(false);
    expect(load("api: openai-chat, profile: { reasoning_efforts: [turbo] }").ok).toBe(false);
    expect(load("api: google-gemini, profile: { reasoning_param: thinking_budget, thinking_budget_min: 128 }").ok).toBe(true);
    expect(load("api: google-gemini, profile: { thinking_budget_min: -1 }").ok).toBe(false);
    expect(messages(load("api: openai-chat, profile: { reasoning_param: thinking_level }"))).toEqual([
      "thinking_level is how a Gemini backend thinks: it needs api: google-gemini",
    ]);
  });
});
