// Anthropic Messages clients (Claude Code, the SDK) served from the hub: requests, answers, streams and errors
// converted (convert/messages-from-chat); count_tokens estimated locally; a max_tokens: 0 pre-warm answered
// without the backend; the web_search server tool run by the gateway between the model's turns.
import { streamFailure, type LLMResponse, type SseEvent } from "../../../core";
import {
  MessagesFromChatStream,
  estimateInputTokens,
  inBandErrorStatus,
  messagesFromChatRequest,
  messagesFromChatResponse,
  randomBase62,
  type BackendProfile,
  type MessagesContext,
} from "../../../convert";
import { meteredStream } from "../../../protocols";
import { anthropicErrorDetail } from "../../../protocols/anthropic-messages";
import type { StreamConverter } from "../event-stream";
import { eventsToMessage, messageEvents } from "../message-events";
import { SSE_HEADERS, jsonAnswer, readAll, readErrorBody } from "../read-all";
import { convertAnswer, convertRequest } from "../shape-errors";
import { errorBody, mappedError } from "./messages-errors";
import { runWebSearch } from "./messages-web-search";
import type { ClientHalf, HalfOptions } from "./types";

type Body = Record<string, any>;

/** The Anthropic client half. */
export function messagesClient(opts: HalfOptions): ClientHalf<MessagesContext> {
  const profile: BackendProfile = { ...opts.profile, webSearch: opts.search !== undefined };
  const converter = (ctx: MessagesContext) => streamConverter(new MessagesFromChatStream(ctx, profile));
  return {
    api: "anthropic-messages",
    formats: ["anthropic.messages"],
    name: "convert chat → anthropic-messages",
    own: (req) =>
      req.format === "anthropic.count_tokens" ? jsonAnswer(200, { input_tokens: convertRequest(() => estimateInputTokens(req.body.json())) }) : undefined,
    request(req) {
      const body = req.body.json<Body>();
      const converted = messagesFromChatRequest(body, profile, estimateInputTokens(body));
      const state: MessagesContext = { ...converted.ctx, requestId: req.ctx.requestId };
      if (body.max_tokens === 0) return { body: converted.body, state, answer: answer(emptyMessage(state), state.stream) }; // a cache pre-warm: backends refuse 0
      return { body: converted.body, state };
    },
    streams: (state) => state.stream,
    run: (body, state, call, req) => (state.webSearch && opts.search ? runWebSearch(body, state, profile, opts.search, call, converter, req) : undefined),
    error: async (res, state) => mappedError(await readErrorBody(res), res.status, state, res),
    converter,
    async whole(res, state) {
      const text = await readAll(res);
      let parsed: Body;
      try {
        parsed = JSON.parse(text);
      } catch {
        return jsonAnswer(500, errorBody("api_error", `upstream sent a body that is not JSON: ${text.slice(0, 500)}`, state.requestId));
      }
      if (parsed?.error && !Array.isArray(parsed.choices)) return mappedError(parsed, inBandErrorStatus(parsed), state, res); // an error sent as a 200
      return answer(
        convertAnswer(() => messagesFromChatResponse(parsed, state, profile)),
        state.stream,
      );
    },
    gathered: (events, state) => jsonAnswer(200, eventsToMessage(events, state.requestedModel)),
    finish(res, state) {
      res.headers.set("request-id", state.requestId!); // as Anthropic's answers carry theirs (the SDK reads it)
      return res;
    },
  };
}

function streamConverter(machine: MessagesFromChatStream): StreamConverter {
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

/** A whole message as an answer: JSON, or the stream events that carry it. */
function answer(message: Body, stream: boolean): LLMResponse {
  if (!stream) return jsonAnswer(200, message);
  return { status: 200, headers: new Headers(SSE_HEADERS), stream: meteredStream(new Response(messageEvents(message)).body!) };
}

/** The answer to max_tokens: 0 (a prompt-cache pre-warm): no content, the input estimated. */
function emptyMessage(ctx: MessagesContext): Body {
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
