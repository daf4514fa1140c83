// A Gemini backend's answer as hub chunks: thought parts as reasoning, text as content, each function call
// whole (it arrives complete), the finish and the usage once the stream ends. A stream that ends without a
// finishReason is an error, never a made-up finish; a malformed function call is a server error.
import type { SseEvent } from "../../core";
import { hubDoneEvent, hubErrorEvent, HubChunkWriter, chunkJson, type HubDelta, type HubFinishReason, type HubUsage } from "../../protocols/openai-chat/hub";
import { randomBase62 } from "../ids";
import type { GeminiBackendContext } from "./request";
import { encodeGeminiState, idWithSignature, realSignature, type GeminiState } from "./state";

type Body = Record<string, any>;

const FILTERED = new Set([
  "SAFETY",
  "RECITATION",
  "LANGUAGE",
  "BLOCKLIST",
  "PROHIBITED_CONTENT",
  "SPII",
  "IMAGE_SAFETY",
  "IMAGE_PROHIBITED_CONTENT",
  "IMAGE_RECITATION",
  "IMAGE_OTHER",
  "NO_IMAGE",
]);
const MALFORMED = new Set(["MALFORMED_FUNCTION_CALL", "UNEXPECTED_TOOL_CALL", "MALFORMED_RESPONSE", "MISSING_THOUGHT_SIGNATURE"]);

/** Gemini's usageMetadata as the hub's usage (the prompt with its tool-use part; output with thoughts). */
export function hubUsageOf(u: Body | undefined): HubUsage | undefined {
  if (!u || typeof u !== "object") return undefined;
  const prompt = (Number(u.promptTokenCount) || 0) + (Number(u.toolUsePromptTokenCount) || 0);
  const thoughts = Number(u.thoughtsTokenCount) || 0;
  const completion = (Number(u.candidatesTokenCount) || 0) + thoughts;
  const out: HubUsage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
  if (Number(u.cachedContentTokenCount) > 0) out.prompt_tokens_details = { cached_tokens: Number(u.cachedContentTokenCount) };
  if (thoughts) out.completion_tokens_details = { reasoning_tokens: thoughts };
  return out;
}

/** Converts one Gemini stream (or one whole answer, pushed as one event) to hub chunk events carrying their values. */
export class ChatFromGeminiStream {
  private readonly out: HubChunkWriter;
  private started = false;
  private finished = false;
  private calls = 0;
  private finish: string | undefined;
  private usageMetadata: Body | undefined;
  private readonly state: GeminiState = { c: {} };

  constructor(private readonly ctx: GeminiBackendContext) {
    this.out = new HubChunkWriter(`chatcmpl-${randomBase62(24)}`, Math.floor(Date.now() / 1000), ctx.requestedModel);
  }

  get done(): boolean {
    return this.finished;
  }

  /** The events one upstream event adds. */
  push(e: SseEvent): readonly SseEvent[] {
    if (this.finished || e.isDone) return [];
    const ev = chunkJson(e);
    if (!ev) return [];
    if (Array.isArray(ev)) return ev.flatMap((item) => this.answer(item)); // a JSON-array body (no alt=sse)
    return this.answer(ev);
  }

  /** One Gemini answer object (a stream event holds the new parts only). */
  answer(ev: Body): SseEvent[] {
    if (this.finished || !ev || typeof ev !== "object") return [];
    if (ev.error)
      return this.error({ message: String(ev.error.message ?? "upstream error").slice(0, 2000), type: "server_error", code: ev.error.status ?? null });
    const out = this.start(ev.responseId);
    if (ev.usageMetadata) this.usageMetadata = ev.usageMetadata;
    const cand = Array.isArray(ev.candidates) ? ev.candidates[0] : undefined;
    if (!cand && ev.promptFeedback?.blockReason) this.finish = "SAFETY";
    for (const p of Array.isArray(cand?.content?.parts) ? cand.content.parts : []) out.push(...this.part(p));
    if (typeof cand?.finishReason === "string") this.finish = cand.finishReason;
    if (this.finish && MALFORMED.has(this.finish)) {
      const why = `the model returned an invalid function call (${this.finish})${cand?.finishMessage ? `: ${String(cand.finishMessage).slice(0, 500)}` : ""}`;
      return [...out, ...this.error({ message: why, type: "server_error", code: null })];
    }
    return out;
  }

  private part(p: Body): SseEvent[] {
    if (!p || typeof p !== "object") return [];
    this.keepSignature(p);
    if (p.thought === true) return typeof p.text === "string" && p.text ? this.chunk({ reasoning_content: p.text }) : [];
    if (typeof p.text === "string") return p.text ? this.chunk({ content: p.text }) : [];
    if (p.functionCall && typeof p.functionCall === "object") {
      const fc = p.functionCall;
      const given = typeof fc.id === "string" && fc.id ? fc.id : `call_${randomBase62(24)}`;
      const id = this.ctx.signatureInId && realSignature(p.thoughtSignature) ? idWithSignature(given, p.thoughtSignature) : given;
      const name = this.ctx.toolNames.fromUpstream(String(fc.name ?? ""));
      return this.chunk({ tool_calls: [{ index: this.calls++, id, type: "function", function: { name, arguments: JSON.stringify(fc.args ?? {}) } }] });
    }
    if (p.executableCode)
      return this.chunk({ content: `\n\`\`\`${String(p.executableCode.language ?? "").toLowerCase()}\n${p.executableCode.code ?? ""}\n\`\`\`\n` });
    if (p.codeExecutionResult)
      return this.chunk({ content: `\nCode output (${p.codeExecutionResult.outcome ?? ""}):\n${p.codeExecutionResult.output ?? ""}\n` });
    return [];
  }

  /** The finish, the usage and [DONE] when the upstream ends; an error when it ended without a finish. */
  end(): readonly SseEvent[] {
    if (this.finished) return [];
    if (!this.finish)
      return [...this.start(), ...this.error({ message: "upstream stream ended before the answer was complete", type: "server_error", code: null })];
    let finish: HubFinishReason = this.calls > 0 ? "tool_calls" : "stop";
    if (this.finish === "MAX_TOKENS" || this.finish === "CONTINUATION") finish = "length";
    else if (FILTERED.has(this.finish)) finish = "content_filter";
    const usage = hubUsageOf(this.usageMetadata);
    const state = this.ctx.carryState ? encodeGeminiState(this.state) : undefined; // for a client half above; a chat client has no slot
    this.finished = true;
    return [
      ...this.start(),
      ...(state ? this.chunk({ reasoning_opaque: state }) : []),
      ...this.chunk({}, finish),
      ...(usage ? [this.out.usageEvent(usage)] : []),
      hubDoneEvent(),
    ];
  }

  /** Keeps a part's thought signature by the part's place: the k-th call, the first text part, a thought part. */
  private keepSignature(p: Body): void {
    if (!realSignature(p.thoughtSignature)) return;
    if (p.functionCall) this.state.c![String(this.calls)] = p.thoughtSignature;
    else if (p.thought === true) this.state.h ??= p.thoughtSignature;
    else this.state.x ??= p.thoughtSignature;
  }

  /** An in-stream error (no [DONE] after it). */
  error(err: { message: string; type: string; code: string | null }): SseEvent[] {
    if (this.finished) return [];
    this.finished = true;
    return [hubErrorEvent(err)];
  }

  private start(id?: unknown): SseEvent[] {
    if (this.started) return [];
    this.started = true;
    if (typeof id === "string" && id) this.out.id = `chatcmpl-${id}`;
    return this.chunk({ role: "assistant", content: "" });
  }

  private chunk(delta: HubDelta, finish: HubFinishReason | null = null): SseEvent[] {
    return [this.out.event(delta, finish)];
  }
}
