// OpenAI Responses clients (Codex, the SDK's responses.*) served from the hub: requests, answers, streams and
// errors converted (convert/responses-from-chat); input_tokens estimated locally; compaction refused. A whole
// answer goes through the same state machine as a stream, so both end in the same Response object.
import { GatewayError, streamFailure, type LLMResponse } from "../../../core";
import {
  ResponsesFromChatStream,
  chunkFailure,
  estimateInputTokens,
  responsesFromChatRequest,
  type ResponsesContext,
  type ResponsesFailure,
} from "../../../convert";
import { openaiErrorDetail } from "../../../protocols/openai";
import type { StreamConverter } from "../event-stream";
import { jsonAnswer } from "../read-all";
import { convertRequest } from "../shape-errors";
import { wholeThroughMachine } from "./answer-machine";
import { failedAnswer, responsesError } from "./responses-errors";
import type { ClientHalf, HalfOptions } from "./types";

type Body = Record<string, any>;

/** One Responses exchange: the request's context and the machine that writes the client's events. */
interface ResponsesState {
  ctx: ResponsesContext;
  machine: ResponsesFromChatStream;
}

const COMPACT_REFUSED =
  "this model's backend does not speak the Responses API; compaction is not available (Codex compacts on its own with an ordinary request)";

/** The Responses client half. */
export function responsesClient(opts: HalfOptions): ClientHalf<ResponsesState> {
  return {
    api: "openai-responses",
    formats: ["openai.responses"],
    name: "convert chat → openai-responses",
    own(req) {
      if (req.format === "openai.responses.input_tokens")
        return jsonAnswer(200, { object: "response.input_tokens", input_tokens: convertRequest(() => responsesEstimate(req.body.json())) });
      if (req.format === "openai.responses.compact") throw new GatewayError("invalid_request", COMPACT_REFUSED, { code: "unsupported_endpoint" });
      return undefined;
    },
    request(req) {
      const body = req.body.json<Body>();
      const converted = responsesFromChatRequest(body, opts.profile, () => responsesEstimate(body));
      const ctx: ResponsesContext = { ...converted.ctx, requestId: req.ctx.requestId };
      return { body: converted.body, state: { ctx, machine: new ResponsesFromChatStream(ctx, opts.profile) } };
    },
    streams: (state) => state.ctx.stream,
    error: (res) => responsesError(res),
    converter: (state) => streamConverter(state.machine),
    whole: (res, state) =>
      wholeThroughMachine(
        res,
        state.machine,
        state.ctx.stream,
        (e) => state.machine.fail(chunkFailure(e)),
        () => finalAnswer(state.machine),
      ),
    gathered: (_events, state) => finalAnswer(state.machine),
    finish(res, state) {
      if (state.ctx.requestId) res.headers.set("x-request-id", state.ctx.requestId);
      return res;
    },
  };
}

/** The Response object the machine ended with, as a non-streaming client's answer. */
function finalAnswer(machine: ResponsesFromChatStream): LLMResponse {
  const final = machine.final!;
  if (final.status === "failed") return failedAnswer(final.error as ResponsesFailure);
  return jsonAnswer(200, final);
}

/** A rough input estimate of a Responses request (its usage stands in when the upstream reports none). */
function responsesEstimate(body: Body): number {
  const input = typeof body?.input === "string" ? body.input : JSON.stringify(body?.input ?? "");
  return estimateInputTokens({ system: typeof body?.instructions === "string" ? body.instructions : "", messages: [{ content: input }], tools: body?.tools });
}

function streamConverter(machine: ResponsesFromChatStream): StreamConverter {
  return {
    push: (e) => machine.push(e),
    end: () => machine.end(),
    fail: (err) => {
      const d = openaiErrorDetail(streamFailure(err));
      return machine.fail({ code: d.code === "timeout" || !d.code ? "server_error" : String(d.code), message: d.message });
    },
    ping: () => machine.ping(),
    get done() {
      return machine.done;
    },
    get usage() {
      const u = machine.done ? machine.final?.usage : undefined;
      return u
        ? {
            input: u.input_tokens,
            output: u.output_tokens,
            cacheRead: u.input_tokens_details.cached_tokens,
            cacheWrite: u.input_tokens_details.cache_write_tokens,
          }
        : undefined;
    },
  };
}
