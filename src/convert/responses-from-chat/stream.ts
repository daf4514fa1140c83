// Chat completion chunks → the Responses event stream (docs/conversion.md): response.created, then each
// output item added, its deltas, done; then exactly one of response.completed / incomplete / failed. Tool
// calls are buffered and emitted whole at the end of the answer (freeform ones unwrapped to raw input).
import type { SseEvent } from "../../core";
import { randomBase62, signThinkingState } from "../ids";
import { reasoningOf } from "../messages-from-chat";
import type { BackendProfile } from "../profile";
import { findUsage } from "../../protocols";
import { chunkJson } from "../../protocols/openai-chat/hub";
import type { ResponsesContext } from "./request";
import { toolCallItem } from "./tool-items";
import { responsesUsage, type ResponsesUsage } from "./usage";

type Body = Record<string, any>;

interface OpenItem {
  kind: "reasoning" | "message";
  id: string;
  index: number;
  text: string;
  /** The backend's own reasoning state (an Anthropic signature), signed into encrypted_content at the end. */
  state?: string;
}

/** The failure of a Responses stream: a code Codex and the SDKs act on, and a message. */
export interface ResponsesFailure {
  code: string;
  message: string;
}

/** Converts one chat stream; each method returns the Responses SSE text to send. */
export class ResponsesFromChatStream {
  private seq = 0;
  private readonly base = randomBase62(24);
  private readonly id = `resp_${this.base}`;
  private readonly createdAt = Math.floor(Date.now() / 1000);
  private started = false;
  private finished = false;
  private open: OpenItem | undefined;
  private pendingSpace = ""; // whitespace before any text: held until real text comes (no empty messages)
  private readonly items: Body[] = [];
  private readonly calls = new Map<number, { id: string; name: string; args: string }>();
  private usage: Body | undefined;
  private finish: string | undefined;
  /** The terminal Response object, once the stream has ended (completed, incomplete or failed). */
  final: Body | undefined;

  constructor(
    private readonly ctx: ResponsesContext,
    private readonly profile: BackendProfile,
  ) {}

  /** True once a terminal event was written. */
  get done(): boolean {
    return this.finished;
  }

  /** The usage of the answer in Responses terms (undefined until the upstream reported one). */
  get finalUsage(): ResponsesUsage | undefined {
    return this.usage && responsesUsage(this.usage);
  }

  private ev(type: string, data: Body): string {
    return `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: this.seq++, ...data })}\n\n`;
  }

  /** A delta event of the open item, written by hand: the hot path of a stream (one per upstream chunk). */
  private delta(type: string, rest: string): string {
    const o = this.open!;
    return `event: ${type}\ndata: {"type":"${type}","sequence_number":${this.seq++},"item_id":"${o.id}","output_index":${o.index},${rest}}\n\n`;
  }

  private response(status: string, extra: Body = {}): Body {
    return {
      id: this.id,
      object: "response",
      created_at: this.createdAt,
      status,
      background: false,
      error: null,
      incomplete_details: null,
      instructions: null,
      max_output_tokens: null,
      model: this.ctx.requestedModel,
      output: [],
      parallel_tool_calls: true,
      previous_response_id: null,
      reasoning: { effort: null, summary: null },
      store: false,
      temperature: 1,
      text: { format: { type: "text" } },
      tool_choice: "auto",
      tools: [],
      top_p: 1,
      truncation: "disabled",
      user: null,
      metadata: {},
      ...this.ctx.echo,
      ...extra,
      usage: extra.usage ?? null, // last: a stream's usage is found near its end
    };
  }

  private start(): string {
    if (this.started) return "";
    this.started = true;
    const r = JSON.stringify(this.response("in_progress")); // once for both events
    const ev = (type: string) => `event: ${type}\ndata: {"type":"${type}","sequence_number":${this.seq++},"response":${r}}\n\n`;
    return ev("response.created") + ev("response.in_progress");
  }

  /** Handles one upstream chunk. */
  push(e: SseEvent): string {
    if (this.finished) return "";
    if (e.isDone) return this.end();
    const chunk = chunkJson(e);
    if (!chunk) return ""; // a comment or keep-alive
    let out = this.start();
    if (chunk?.error) return out + this.fail(chunkFailure(chunk.error));
    const usage = findUsage(chunk);
    if (usage) this.usage = usage;
    const choice = chunk?.choices?.[0];
    if (!choice || (choice.index !== undefined && choice.index !== 0)) return out;
    const d: Body = choice.delta ?? choice.message ?? {};
    const reasoning = reasoningOf(d);
    if (reasoning) out += this.reasoning(reasoning);
    if (typeof d.reasoning_opaque === "string" && d.reasoning_opaque) out += this.state(d.reasoning_opaque);
    if (typeof d.content === "string" && d.content) out += this.text(d.content);
    if (typeof d.refusal === "string" && d.refusal) out += this.text(d.refusal);
    if (Array.isArray(d.tool_calls)) this.bufferCalls(d.tool_calls);
    if (typeof choice.finish_reason === "string" && choice.finish_reason) {
      if (choice.finish_reason === "error" || choice.finish_reason === "insufficient_system_resource") {
        return out + this.fail({ code: "server_error", message: `upstream could not finish the answer (${choice.finish_reason})` });
      }
      this.finish = choice.finish_reason;
      out += this.close() + this.emitCalls();
    }
    return out;
  }

  private reasoning(text: string): string {
    let out = "";
    if (this.open?.kind !== "reasoning") {
      out += this.close();
      const index = this.items.length;
      this.open = { kind: "reasoning", id: `rs_${this.base}_${index}`, index, text: "" };
      out += this.ev("response.output_item.added", { output_index: index, item: { id: this.open.id, type: "reasoning", summary: [] } });
      out += this.ev("response.reasoning_summary_part.added", {
        item_id: this.open.id,
        output_index: index,
        summary_index: 0,
        part: { type: "summary_text", text: "" },
      });
    }
    this.open!.text += text;
    return out + this.delta("response.reasoning_summary_text.delta", `"summary_index":0,"delta":${JSON.stringify(text)}`);
  }

  /** The backend's reasoning state: on the open reasoning item, else an item of its own (a Gemini step's signatures come at its end). */
  private state(state: string): string {
    if (this.open?.kind === "reasoning") {
      this.open.state = state;
      return "";
    }
    const out = this.close();
    const index = this.items.length;
    const item: Body = { id: `rs_${this.base}_${index}`, type: "reasoning", summary: [] };
    if (this.ctx.includeEncrypted) item.encrypted_content = signThinkingState("", state); // back next turn, checked
    this.items.push(item);
    return out + this.ev("response.output_item.added", { output_index: index, item }) + this.ev("response.output_item.done", { output_index: index, item });
  }

  private text(text: string): string {
    let out = "";
    if (this.open?.kind !== "message") {
      if (!text.trim()) {
        this.pendingSpace += text;
        return "";
      }
      out += this.close();
      const index = this.items.length;
      this.open = { kind: "message", id: `msg_${this.base}_${index}`, index, text: "" };
      out += this.ev("response.output_item.added", {
        output_index: index,
        item: { id: this.open.id, type: "message", status: "in_progress", content: [], role: "assistant" },
      });
      out += this.ev("response.content_part.added", { item_id: this.open.id, output_index: index, content_index: 0, part: outputText("") });
      text = this.pendingSpace + text;
      this.pendingSpace = "";
    }
    this.open!.text += text;
    return out + this.delta("response.output_text.delta", `"content_index":0,"delta":${JSON.stringify(text)},"logprobs":[]`);
  }

  /** Closes the open item with its done events. */
  private close(): string {
    const o = this.open;
    if (!o) return "";
    this.open = undefined;
    const at = { item_id: o.id, output_index: o.index };
    if (o.kind === "reasoning") {
      const part = { type: "summary_text", text: o.text };
      const item: Body = { id: o.id, type: "reasoning", summary: [part] };
      if (o.state && this.ctx.includeEncrypted) item.encrypted_content = signThinkingState(o.text, o.state); // back next turn, checked
      this.items.push(item);
      return (
        this.ev("response.reasoning_summary_text.done", { ...at, summary_index: 0, text: o.text }) +
        this.ev("response.reasoning_summary_part.done", { ...at, summary_index: 0, part }) +
        this.ev("response.output_item.done", { output_index: o.index, item })
      );
    }
    const item = { id: o.id, type: "message", status: "completed", content: [outputText(o.text)], role: "assistant" };
    this.items.push(item);
    return (
      this.ev("response.output_text.done", { ...at, content_index: 0, text: o.text, logprobs: [] }) +
      this.ev("response.content_part.done", { ...at, content_index: 0, part: outputText(o.text) }) +
      this.ev("response.output_item.done", { output_index: o.index, item })
    );
  }

  private bufferCalls(deltas: Body[]): void {
    deltas.forEach((tc, k) => {
      const at = typeof tc?.index === "number" ? tc.index : this.calls.size === 0 ? 0 : k;
      let call = this.calls.get(at);
      if (!call) this.calls.set(at, (call = { id: "", name: "", args: "" }));
      if (typeof tc.id === "string" && tc.id) call.id = tc.id;
      if (typeof tc.function?.name === "string") call.name += call.name ? "" : tc.function.name;
      if (typeof tc.function?.arguments === "string") call.args += tc.function.arguments;
    });
  }

  /** The buffered tool calls as whole output items, in the order the model started them. */
  private emitCalls(): string {
    let out = "";
    for (const call of this.calls.values()) {
      if (!call.name) continue;
      const index = this.items.length;
      const meaning = this.ctx.tools.meaning(call.name);
      const { added, events, item } = toolCallItem(meaning, call.id || `call_${randomBase62(24)}`, call.args.trim() || "{}", this.base, index);
      out += this.ev("response.output_item.added", { output_index: index, item: added });
      for (const [type, data] of events) out += this.ev(type, { item_id: item.id, output_index: index, ...data });
      out += this.itemDone(index, item);
    }
    this.calls.clear();
    return out;
  }

  private itemDone(index: number, item: Body): string {
    this.items.push(item);
    return this.ev("response.output_item.done", { output_index: index, item });
  }

  /** The upstream ended (or sent [DONE]): the terminal event; without a finish reason, a failure. */
  end(): string {
    if (this.finished) return "";
    let out = this.start();
    if (this.finish === undefined) return out + this.fail({ code: "server_error", message: "upstream stream ended unexpectedly" });
    out += this.close() + this.emitCalls();
    this.finished = true;
    const usage = responsesUsage(this.usage ?? {}, { input: this.usage?.prompt_tokens === undefined ? this.ctx.inputEstimate() : 0, output: 0 });
    const length = this.finish === "length";
    const filtered = this.finish === "content_filter";
    const status = length || filtered ? "incomplete" : "completed";
    const details = length ? { reason: "max_output_tokens" } : filtered ? { reason: "content_filter" } : null;
    const lengthAsCompleted = length && this.profile.lengthFinish === "completed";
    this.final = this.response(status, { output: this.items, incomplete_details: details, completed_at: Math.floor(Date.now() / 1000), usage });
    return out + this.ev(status === "completed" || lengthAsCompleted ? "response.completed" : "response.incomplete", { response: this.final });
  }

  /** A failure: response.failed with what was produced so far (nothing after it). */
  fail(f: ResponsesFailure): string {
    if (this.finished) return "";
    const out = this.start();
    this.finished = true;
    this.final = this.response("failed", { output: this.items, error: f, usage: this.usage ? responsesUsage(this.usage) : null });
    return out + this.ev("response.failed", { response: this.final });
  }

  /** A keep-alive event (Codex resets its idle timer on events, not on SSE comments). */
  ping(): string {
    return this.started && !this.finished ? this.ev("keepalive", {}) : "";
  }
}

function outputText(text: string): Body {
  return { type: "output_text", annotations: [], logprobs: [], text };
}

/** The Responses failure code for an error object inside a chat stream. */
export function chunkFailure(error: Body): ResponsesFailure {
  const code = String(error?.code ?? error?.type ?? "");
  const message = String(error?.message ?? "upstream error");
  if (code === "context_length_exceeded" || /context length|context window|too long/i.test(message)) return { code: "context_length_exceeded", message };
  if (code === "rate_limit_exceeded" || code === "429") return { code: "rate_limit_exceeded", message };
  if (code === "insufficient_quota") return { code: "insufficient_quota", message };
  return { code: "server_error", message };
}
