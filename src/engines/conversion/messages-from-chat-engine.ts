import { GatewayError, LazyBody, streamFailure, type StreamPipeline, type Engine, type LLMRequest, type LLMResponse, type SseEvent } from "../../core";
import {
  MessagesFromChatStream,
  messagesFromChatResponse,
  estimateInputTokens,
  makeProfile,
  messagesFromChatError,
  messagesFromChatRequest,
  type BackendProfile,
  type MessagesContext,
} from "../../convert";
import { meteredStream } from "../../protocols";
import { anthropicErrorDetail, anthropicEvent as ev } from "../../protocols/anthropic";
import { converterStage, type StreamConverter } from "./event-stream";
import { readTextBounded } from "../upstream";
import { RETRY_HEADERS, readAll, withoutQuery } from "./read-all";
import { convertAnswer, convertRequest } from "./shape-errors";

const SSE_HEADERS = { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "x-accel-buffering": "no" };

/**
 * Serves Anthropic Messages (and count_tokens, estimated locally) from an OpenAI Chat Completions backend:
 * requests, answers, streams and errors are converted; OpenAI requests pass through untouched.
 */
export class MessagesFromChatEngine implements Engine {
  private readonly profile: BackendProfile;

  constructor(
    private readonly next: Engine,
    profile: Partial<BackendProfile> = {},
  ) {
    this.profile = makeProfile(profile);
  }

  async process(req: LLMRequest): Promise<LLMResponse> {
    if (req.format === "anthropic.count_tokens") return json(200, { input_tokens: convertRequest(() => estimateInputTokens(req.body.json())) });
    if (req.format !== "anthropic.messages") return this.next.process(req);
    const body = req.body.json<Record<string, any>>();
    const { body: upstreamBody, ctx } = convertRequest(() => messagesFromChatRequest(body, this.profile, estimateInputTokens(body)));
    const headers = new Headers(req.headers);
    for (const h of ["anthropic-version", "anthropic-beta", "accept-encoding"]) headers.delete(h);
    const res = await this.next.process({ ...req, format: "openai.chat", path: withoutQuery(req.path), headers, body: LazyBody.fromValue(upstreamBody) });
    if (res.status >= 400) return this.errorAnswer(res, body.max_tokens);
    if (res.stream && (res.headers.get("content-type") ?? "").startsWith("text/event-stream")) {
      const conv = this.streamConverter(ctx);
      if (ctx.stream) return { status: 200, headers: new Headers(SSE_HEADERS), stream: res.stream.through(converterStage(conv, this.profile.pingIntervalMs)) };
      return json(200, await convertAnswer(() => aggregate(res.stream!.through(converterStage(conv, 0)), ctx))); // a backend that streamed anyway
    }
    const text = await readAll(res);
    let parsed: Record<string, any>;
    try {
      parsed = JSON.parse(text);
    } catch {
      return json(500, errorBody("api_error", `upstream sent a body that is not JSON: ${text.slice(0, 500)}`));
    }
    const message = convertAnswer(() => messagesFromChatResponse(parsed, ctx, this.profile));
    if (!ctx.stream) return json(200, message);
    return { status: 200, headers: new Headers(SSE_HEADERS), stream: meteredStream(new Response(messageEvents(message)).body!) };
  }

  private streamConverter(ctx: MessagesContext): StreamConverter {
    const machine = new MessagesFromChatStream(ctx, this.profile);
    return {
      push: (e: SseEvent) => (machine.done ? "" : machine.push(e)),
      end: () => machine.end(),
      fail: (err) => machine.error(anthropicErrorDetail(streamFailure(err))), // the same error as a passed-through stream's
      ping: () => machine.ping(),
      get done() {
        return machine.done;
      },
      get usage() {
        const u = machine.finalUsage; // the answer's usage is known here: nobody has to read it back from the bytes
        return u && { input: u.input_tokens + u.cache_read_input_tokens + u.cache_creation_input_tokens, output: u.output_tokens };
      },
    };
  }

  /** An upstream error as an Anthropic error answer (kept as a response, so the balancer can still fail over on 429/5xx). */
  private async errorAnswer(res: LLMResponse, maxTokens: unknown): Promise<LLMResponse> {
    const text = await readAll(res);
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // keep the text
    }
    const mapped = messagesFromChatError(parsed as Record<string, any> | string, res.status, typeof maxTokens === "number" ? maxTokens : undefined);
    const out = json(mapped.status, errorBody(mapped.anthropic.type, mapped.anthropic.message));
    for (const [k, v] of Object.entries(mapped.headers ?? {})) out.headers.set(k, v);
    for (const h of RETRY_HEADERS) {
      const value = res.headers.get(h);
      if (value) out.headers.set(h, value);
    }
    return out;
  }
}

function json(status: number, value: object): LLMResponse {
  return { status, headers: new Headers({ "content-type": "application/json" }), body: LazyBody.fromValue(value) };
}

function errorBody(type: string, message: string): object {
  return { type: "error", error: { type, message } };
}

/** Runs a stream through the state machine and rebuilds the whole message from its events. */
async function aggregate(stream: StreamPipeline, ctx: MessagesContext): Promise<object> {
  const text = await readTextBounded(stream.readable());
  const message: Record<string, any> = {
    id: "",
    type: "message",
    role: "assistant",
    model: ctx.requestedModel,
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: {},
  };
  const inputs: string[] = [];
  for (const block of text.split("\n\n")) {
    const line = block.split("\n").find((l) => l.startsWith("data: "));
    if (!line) continue;
    const e = JSON.parse(line.slice(6));
    if (e.type === "error") throw new GatewayError("api_error", e.error?.message ?? "upstream stream failed", { type: e.error?.type });
    if (e.type === "message_start") Object.assign(message, { id: e.message.id, usage: e.message.usage });
    else if (e.type === "content_block_start") {
      message.content[e.index] = { ...e.content_block };
      inputs[e.index] = "";
    } else if (e.type === "content_block_delta") {
      const b = message.content[e.index];
      if (e.delta.type === "text_delta") b.text += e.delta.text;
      else if (e.delta.type === "thinking_delta") b.thinking += e.delta.thinking;
      else if (e.delta.type === "signature_delta") b.signature = e.delta.signature;
      else if (e.delta.type === "input_json_delta") inputs[e.index] += e.delta.partial_json;
    } else if (e.type === "content_block_stop" && message.content[e.index]?.type === "tool_use") {
      message.content[e.index].input = JSON.parse(inputs[e.index] || "{}");
    } else if (e.type === "message_delta") Object.assign(message, { stop_reason: e.delta.stop_reason, stop_sequence: e.delta.stop_sequence, usage: e.usage });
  }
  return message;
}

/** A whole message as the Anthropic stream events that carry it. */
function messageEvents(message: Record<string, any>): string {
  let out = ev("message_start", { message: { ...message, content: [], stop_reason: null, stop_sequence: null } });
  (message.content as Record<string, any>[]).forEach((b, index) => {
    if (b.type === "text") {
      out += ev("content_block_start", { index, content_block: { type: "text", text: "" } });
      out += ev("content_block_delta", { index, delta: { type: "text_delta", text: b.text } });
    } else if (b.type === "thinking") {
      out += ev("content_block_start", { index, content_block: { type: "thinking", thinking: "", signature: "" } });
      out += ev("content_block_delta", { index, delta: { type: "thinking_delta", thinking: b.thinking } });
      out += ev("content_block_delta", { index, delta: { type: "signature_delta", signature: b.signature } });
    } else {
      out += ev("content_block_start", { index, content_block: { ...b, input: {} } });
      out += ev("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: JSON.stringify(b.input) } });
    }
    out += ev("content_block_stop", { index });
  });
  return (
    out +
    ev("message_delta", { delta: { stop_reason: message.stop_reason, stop_sequence: message.stop_sequence }, usage: message.usage }) +
    ev("message_stop", {})
  );
}
