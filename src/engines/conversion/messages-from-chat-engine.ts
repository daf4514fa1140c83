import { LazyBody, streamFailure, type Engine, type LLMRequest, type LLMResponse, type SseEvent } from "../../core";
import { convertedHeaders } from "./converted-headers";
import {
  MessagesFromChatStream,
  messagesFromChatResponse,
  estimateInputTokens,
  inBandErrorStatus,
  makeProfile,
  messagesFromChatError,
  messagesFromChatRequest,
  randomBase62,
  type BackendProfile,
  type MessagesContext,
} from "../../convert";
import { meteredStream } from "../../protocols";
import { anthropicErrorDetail } from "../../protocols/anthropic-messages";
import { converterStage, type StreamConverter } from "./event-stream";
import { aggregate, eventsToMessage, messageEvents } from "./message-events";
import { WebSearchLoop } from "./web-search-loop";
import type { SearchConfig } from "../web-search";
import { convertedError, SSE_HEADERS, jsonAnswer, readAll, readErrorBody, withoutQuery } from "./read-all";
import { convertAnswer, convertRequest } from "./shape-errors";

/** The converter stage's name in debug logs. */
const NAME = "convert chat → anthropic-messages";

/**
 * Serves Anthropic Messages (and count_tokens, estimated locally) from an OpenAI Chat Completions backend:
 * requests, answers, streams and errors are converted; OpenAI requests pass through untouched.
 */
export class MessagesFromChatEngine implements Engine {
  private readonly profile: BackendProfile;

  constructor(
    private readonly next: Engine,
    profile: Partial<BackendProfile> = {},
    /** The search service for Anthropic's web_search server tool (without one, that tool is refused). */
    private readonly search?: SearchConfig,
  ) {
    this.profile = makeProfile({ ...profile, webSearch: search !== undefined });
  }

  async process(req: LLMRequest): Promise<LLMResponse> {
    if (req.format === "anthropic.count_tokens") return jsonAnswer(200, { input_tokens: convertRequest(() => estimateInputTokens(req.body.json())) });
    if (req.format !== "anthropic.messages") return this.next.process(req);
    const res = await this.messages(req);
    res.headers.set("request-id", req.ctx.requestId); // as Anthropic's answers carry theirs (the SDK reads it)
    return res;
  }

  private async messages(req: LLMRequest): Promise<LLMResponse> {
    const body = req.body.json<Record<string, any>>();
    const converted = convertRequest(() => messagesFromChatRequest(body, this.profile, estimateInputTokens(body)));
    const ctx: MessagesContext = { ...converted.ctx, requestId: req.ctx.requestId };
    if (body.max_tokens === 0) return answer(emptyMessage(ctx), ctx.stream); // a cache pre-warm: backends refuse 0
    const headers = convertedHeaders(req.headers, "openai");
    const upstreamReq = { ...req, format: "openai.chat" as const, path: withoutQuery(req.path), headers, body: LazyBody.fromValue(converted.body) };
    if (ctx.webSearch && this.search) return this.withWebSearch(upstreamReq, converted.body, ctx, this.search);
    const res = await this.next.process(upstreamReq);
    if (res.status >= 400) return this.errorAnswer(res, ctx);
    if (res.stream && (res.headers.get("content-type") ?? "").startsWith("text/event-stream")) {
      const conv = this.streamConverter(ctx);
      if (ctx.stream)
        return { status: 200, headers: new Headers(SSE_HEADERS), stream: res.stream.through(converterStage(conv, this.profile.pingIntervalMs, NAME)) };
      return jsonAnswer(200, await convertAnswer(() => aggregate(res.stream!.through(converterStage(conv, 0, NAME)), ctx))); // a backend that streamed anyway
    }
    const text = await readAll(res);
    let parsed: Record<string, any>;
    try {
      parsed = JSON.parse(text);
    } catch {
      return jsonAnswer(500, errorBody("api_error", `upstream sent a body that is not JSON: ${text.slice(0, 500)}`, ctx.requestId));
    }
    if (parsed?.error && !Array.isArray(parsed.choices)) return this.mappedError(parsed, inBandErrorStatus(parsed), ctx, res); // an error sent as a 200
    return answer(
      convertAnswer(() => messagesFromChatResponse(parsed, ctx, this.profile)),
      ctx.stream,
    );
  }

  /** A request with web search: the gateway runs the model's searches between its turns (web-search-loop.ts). */
  private async withWebSearch(req: LLMRequest, body: Record<string, any>, ctx: MessagesContext, search: SearchConfig): Promise<LLMResponse> {
    const turnBody = { ...body, stream: true, stream_options: this.profile.streamUsage ? { include_usage: true } : undefined };
    const send = (b: Record<string, any>) => this.next.process({ ...req, body: LazyBody.fromValue(b) });
    const first = await send(turnBody);
    if (first.status >= 400) return this.errorAnswer(first, ctx);
    const counted = () => void (req.ctx.webSearches = (req.ctx.webSearches ?? 0) + 1);
    const loop = new WebSearchLoop(turnBody, ctx, this.profile, search, send, (c) => this.streamConverter(c), req.signal, counted);
    const events = loop.events(first);
    if (ctx.stream) return { status: 200, headers: new Headers(SSE_HEADERS), stream: meteredStream(readableOf(events)) };
    let text = "";
    for await (const out of events) text += out;
    return jsonAnswer(
      200,
      convertAnswer(() => eventsToMessage(text, ctx.requestedModel)),
    );
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
        return (
          u && {
            input: u.input_tokens + u.cache_read_input_tokens + u.cache_creation_input_tokens,
            output: u.output_tokens,
            cacheRead: u.cache_read_input_tokens,
            cacheWrite: u.cache_creation_input_tokens,
          }
        );
      },
    };
  }

  /** An upstream error as an Anthropic error answer (kept as a response, so the balancer can still fail over on 429/5xx). */
  private async errorAnswer(res: LLMResponse, ctx: MessagesContext): Promise<LLMResponse> {
    return this.mappedError(await readErrorBody(res), res.status, ctx, res);
  }

  private mappedError(parsed: Record<string, any> | string, status: number, ctx: MessagesContext, upstream: LLMResponse): LLMResponse {
    const mapped = messagesFromChatError(parsed, status, ctx.maxTokens, ctx.inputEstimate);
    const out = jsonAnswer(mapped.status, errorBody(mapped.anthropic.type, mapped.anthropic.message, ctx.requestId));
    for (const [k, v] of Object.entries(mapped.headers ?? {})) out.headers.set(k, v);
    return convertedError(out, upstream);
  }
}

function errorBody(type: string, message: string, requestId?: string): object {
  return { type: "error", error: { type, message }, request_id: requestId };
}

/** A whole message as an answer: JSON, or the stream events that carry it. */
function answer(message: Record<string, any>, stream: boolean): LLMResponse {
  if (!stream) return jsonAnswer(200, message);
  return { status: 200, headers: new Headers(SSE_HEADERS), stream: meteredStream(new Response(messageEvents(message)).body!) };
}

/** The answer to max_tokens: 0 (a prompt-cache pre-warm): no content, the input estimated. */
function emptyMessage(ctx: MessagesContext): Record<string, any> {
  return {
    id: `msg_${randomBase62(24)}`,
    type: "message",
    role: "assistant",
    model: ctx.requestedModel,
    content: [],
    stop_reason: "end_turn",
    stop_sequence: null,
    usage: { input_tokens: ctx.inputEstimate, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
  };
}

/** An async generator of text as a byte stream; cancelling the stream stops the generator. */
function readableOf(source: AsyncGenerator<string>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    async pull(c) {
      const { done, value } = await source.next();
      if (done) c.close();
      else c.enqueue(encoder.encode(value));
    },
    async cancel() {
      await source.return(undefined);
    },
  });
}
