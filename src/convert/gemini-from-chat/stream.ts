// Hub chunks as a Gemini answer: each text or thought delta one event (`data: <one line>\r\n\r\n`, never comments
// or event lines: Gemini CLI's parser breaks on them), tool calls held and sent whole with the finish, and the
// last event carrying finishReason and usageMetadata, written only when the hub stream ends. A stream that ends
// without a finish ends with an error event instead. The same machine builds the whole answer for clients that
// did not stream (`final`); the JSON-array framing (no alt=sse) writes the same objects as one array.
import type { SseEvent, TokenUsage } from "../../core";
import { findUsage, tokenUsage } from "../../protocols";
import { parseToolArguments, randomBase62 } from "../ids";
import { reasoningOf } from "../messages-from-chat";
import { chunkJson } from "../../protocols/openai-chat/hub";
import { sealState } from "./envelope";
import type { GeminiContext } from "./request";
import { groundingMetadata } from "./grounding";

type Body = Record<string, any>;

/** How the events are framed: SSE (alt=sse, what both SDKs ask for) or one JSON array. */
export type GeminiFraming = "sse" | "array";

const FINISH: Record<string, string> = { stop: "STOP", tool_calls: "STOP", function_call: "STOP", length: "MAX_TOKENS", content_filter: "SAFETY" };

/** A failure as Gemini writes it in a stream: google.rpc.Status with its HTTP code. */
export interface GeminiFailure {
  code: number;
  status: string;
  message: string;
}

/** The converter of one hub stream to a Gemini client's events. */
export class GeminiFromChatStream {
  private readonly responseId = randomBase62(22);
  private finished = false;
  private written = 0;
  private finish: string | undefined;
  private usage: Body | undefined;
  private pendingSpace = "";
  private readonly calls = new Map<number, { id: string; name: string; args: string }>();
  private readonly parts: Body[] = []; // every part sent, for `final`
  private thinking = ""; // the reasoning text seen (an Anthropic state is bound to it)
  private pendingState: string | undefined; // the backend's reasoning state, until a part carries it
  /** The whole answer once the stream ended (what a client that did not stream gets), or the failure. */
  final: Body | undefined;
  failure: GeminiFailure | undefined;

  constructor(
    private readonly ctx: GeminiContext,
    private readonly framing: GeminiFraming = "sse",
  ) {}

  get done(): boolean {
    return this.finished;
  }

  /** The answer's usage, once the upstream reported it. */
  get tokenUsage(): TokenUsage | undefined {
    return this.usage ? tokenUsage(this.usage) : undefined;
  }

  /** The events one hub chunk adds. */
  push(e: SseEvent): string {
    if (this.finished) return "";
    if (e.isDone) return this.end();
    const chunk = chunkJson(e);
    if (!chunk) return ""; // a comment or keep-alive
    if (chunk?.error) return this.fail({ code: 500, status: "INTERNAL", message: String(chunk.error.message ?? "upstream error").slice(0, 2000) });
    const usage = findUsage(chunk);
    if (usage) this.usage = usage;
    const choice = chunk?.choices?.[0];
    if (!choice || (choice.index !== undefined && choice.index !== 0)) return "";
    const d: Body = choice.delta ?? choice.message ?? {};
    let out = "";
    const reasoning = reasoningOf(d);
    if (reasoning) this.thinking += reasoning;
    if (reasoning && this.ctx.includeThoughts) out += this.part({ text: reasoning, thought: true });
    if (typeof d.reasoning_opaque === "string" && d.reasoning_opaque) this.pendingState = d.reasoning_opaque;
    for (const text of [d.content, d.refusal]) if (typeof text === "string" && text) out += this.text(text);
    if (Array.isArray(d.tool_calls)) this.bufferCalls(d.tool_calls);
    if (typeof choice.finish_reason === "string" && choice.finish_reason) this.finish = choice.finish_reason;
    return out;
  }

  /** The last event (finish, usage, held calls) when the hub stream ends; an error event when it ended unfinished. */
  end(): string {
    if (this.finished) return "";
    if (!this.finish) return this.fail({ code: 503, status: "UNAVAILABLE", message: "the upstream stream ended before the answer was complete" });
    const parts: Body[] = [...this.calls.values()].map((c) => ({
      functionCall: { id: c.id, name: this.ctx.toolNames.fromUpstream(c.name), args: parseToolArguments(c.args) },
    }));
    if (!parts.length) parts.push({ text: "" });
    const sig = this.takeSignature(); // state still unsent: on the first call, else on the empty text part
    if (sig) parts[0]!.thoughtSignature = sig;
    const candidate: Body = { content: { role: "model", parts }, finishReason: FINISH[this.finish] ?? "OTHER", index: 0 };
    if (this.calls.size) candidate.finishMessage = "Model generated function call(s).";
    const g = this.ctx.grounding;
    if (g) candidate.groundingMetadata = groundingMetadata(g.query, g.results);
    const event: Body = {
      candidates: [candidate],
      usageMetadata: usageMetadata(this.usage),
      modelVersion: this.ctx.requestedModel,
      responseId: this.responseId,
    };
    this.parts.push(...parts.filter((p) => p.functionCall));
    this.final = { ...event, candidates: [{ ...candidate, content: { role: "model", parts: this.wholeParts() } }] };
    this.finished = true;
    return this.write(event) + (this.framing === "array" ? "]" : "");
  }

  /** An error event that ends the stream (after anything was sent, the only way to tell the client). */
  fail(f: GeminiFailure): string {
    if (this.finished) return "";
    this.finished = true;
    this.failure = f;
    return this.write({ error: { code: f.code, message: f.message, status: f.status } }) + (this.framing === "array" ? "]" : "");
  }

  /** Keep-alive: a bare line break (both SDKs skip it; a comment would break Gemini CLI). */
  ping(): string {
    return this.finished ? "" : "\r\n";
  }

  private text(text: string): string {
    if (!text.trim()) {
      this.pendingSpace += text; // no event carries only whitespace
      return "";
    }
    const sig = this.takeSignature();
    const out = this.part(sig ? { text: this.pendingSpace + text, thoughtSignature: sig } : { text: this.pendingSpace + text });
    this.pendingSpace = "";
    return out;
  }

  /** The backend's reasoning state not yet sent, sealed for the first non-thought part (Gemini CLI keeps only those). */
  private takeSignature(): string | undefined {
    const state = this.pendingState;
    if (!state) return undefined;
    this.pendingState = undefined;
    return sealState(state, state.startsWith("a.") ? this.thinking : undefined); // an Anthropic signature is bound to its text
  }

  private part(part: Body): string {
    this.parts.push(part);
    return this.write({
      candidates: [{ content: { role: "model", parts: [part] }, index: 0 }],
      modelVersion: this.ctx.requestedModel,
      responseId: this.responseId,
    });
  }

  private write(event: Body): string {
    const json = JSON.stringify(event);
    const n = this.written++;
    if (this.framing === "array") return `${n === 0 ? "[" : ",\r\n"}${json}`;
    return `data: ${json}\r\n\r\n`;
  }

  private bufferCalls(deltas: Body[]): void {
    for (const tc of deltas) {
      const at = typeof tc?.index === "number" ? tc.index : this.calls.size;
      let call = this.calls.get(at);
      if (!call) this.calls.set(at, (call = { id: "", name: "", args: "" }));
      if (typeof tc.id === "string" && tc.id) call.id = tc.id;
      if (typeof tc.function?.name === "string") call.name += tc.function.name;
      if (typeof tc.function?.arguments === "string") call.args += tc.function.arguments;
    }
    for (const c of this.calls.values()) if (!c.id) c.id = `call_${randomBase62(24)}`;
  }

  /** The parts of the whole answer: thoughts joined, text joined, then the calls. */
  private wholeParts(): Body[] {
    const thought = this.parts
      .filter((p) => p.thought)
      .map((p) => p.text as string)
      .join("");
    const text = this.parts
      .filter((p) => typeof p.text === "string" && !p.thought)
      .map((p) => p.text as string)
      .join("");
    const out: Body[] = [];
    const signature = this.parts.find((p) => typeof p.text === "string" && !p.thought && p.thoughtSignature)?.thoughtSignature;
    if (thought) out.push({ text: thought, thought: true });
    if (text) out.push(signature ? { text, thoughtSignature: signature } : { text });
    out.push(...this.parts.filter((p) => p.functionCall));
    return out.length ? out : [{ text: "" }];
  }
}

/** Hub usage as Gemini's usageMetadata (prompt includes the cache; candidates exclude thoughts). */
export function usageMetadata(u: Body | undefined): Body {
  const t = tokenUsage(u);
  const prompt = t?.input ?? 0;
  const thoughts = Number(u?.completion_tokens_details?.reasoning_tokens ?? 0) || 0;
  const candidates = Math.max(0, (t?.output ?? 0) - thoughts);
  const out: Body = { promptTokenCount: prompt, candidatesTokenCount: candidates, totalTokenCount: prompt + candidates + thoughts };
  if (t?.cacheRead) out.cachedContentTokenCount = t.cacheRead;
  if (thoughts) out.thoughtsTokenCount = thoughts;
  out.promptTokensDetails = [{ modality: "TEXT", tokenCount: prompt }];
  return out;
}
