// Serves the OpenAI Responses API (Codex, the SDK's responses.*) from an OpenAI Chat Completions backend:
// the request, the answer (streamed or whole) and errors are converted; other requests pass through.
import { GatewayError, LazyBody, SseParser, streamFailure, type Engine, type LLMRequest, type LLMResponse } from "../../core";
import { convertedHeaders } from "./converted-headers";
import {
  ResponsesFromChatStream,
  chunkFailure,
  estimateInputTokens,
  isContextOverflow,
  makeProfile,
  responsesFromChatRequest,
  type BackendProfile,
  type ResponsesContext,
  type ResponsesFailure,
} from "../../convert";
import { meteredStream } from "../../protocols";
import { openaiErrorDetail } from "../../protocols/openai";
import { completionChunks } from "./chat-events";
import { converterStage, type StreamConverter } from "./event-stream";
import { convertedError, SSE_HEADERS, jsonAnswer, readAll, readErrorBody } from "./read-all";
import { convertAnswer, convertRequest } from "./shape-errors";

/** The converter stage's name in debug logs. */
const NAME = "convert chat → openai-responses";

type Body = Record<string, any>;

/** The Responses engine over a chat backend (an Anthropic backend behind a chat converter works the same). */
export class ResponsesFromChatEngine implements Engine {
  private readonly profile: BackendProfile;

  constructor(
    private readonly next: Engine,
    profile: Partial<BackendProfile> = {},
  ) {
    this.profile = makeProfile(profile);
  }

  async process(req: LLMRequest): Promise<LLMResponse> {
    if (req.format === "openai.responses.input_tokens")
      return jsonAnswer(200, { object: "response.input_tokens", input_tokens: convertRequest(() => responsesEstimate(req.body.json())) });
    if (req.format === "openai.responses.compact") {
      const message = "this model's backend does not speak the Responses API; compaction is not available (Codex compacts on its own with an ordinary request)";
      throw new GatewayError("invalid_request", message, { code: "unsupported_endpoint" });
    }
    if (req.format !== "openai.responses") return this.next.process(req);
    const body = req.body.json<Body>();
    const converted = convertRequest(() => responsesFromChatRequest(body, this.profile, () => responsesEstimate(body)));
    const ctx: ResponsesContext = { ...converted.ctx, requestId: req.ctx.requestId };
    const headers = convertedHeaders(req.headers, "openai"); // Codex's session, thread and x-codex-* headers stay behind
    const res = await this.next.process({ ...req, format: "openai.chat", path: "/v1/chat/completions", headers, body: LazyBody.fromValue(converted.body) });
    if (res.status >= 400) return errorAnswer(res, ctx);
    const machine = new ResponsesFromChatStream(ctx, this.profile);
    const conv = converter(machine);
    const sse = res.stream && (res.headers.get("content-type") ?? "").startsWith("text/event-stream");
    if (ctx.stream && sse)
      return withRequestId(
        { status: 200, headers: new Headers(SSE_HEADERS), stream: res.stream!.through(converterStage(conv, this.profile.pingIntervalMs, NAME)) },
        ctx,
      );
    let events: string;
    if (sse) events = await readAll({ ...res, stream: res.stream!.through(converterStage(conv, 0, NAME)) });
    else {
      const text = await readAll(res);
      events = convertAnswer(() => feedWhole(machine, text));
    }
    if (ctx.stream) return withRequestId({ status: 200, headers: new Headers(SSE_HEADERS), stream: meteredStream(new Response(events).body!) }, ctx); // a backend that did not stream
    const final = machine.final!;
    if (final.status === "failed") return withRequestId(failedAnswer(final.error as ResponsesFailure), ctx);
    return withRequestId(jsonAnswer(200, final), ctx);
  }
}

/** A rough input estimate of a Responses request (its usage stands in when the upstream reports none). */
function responsesEstimate(body: Body): number {
  const input = typeof body?.input === "string" ? body.input : JSON.stringify(body?.input ?? "");
  return estimateInputTokens({ system: typeof body?.instructions === "string" ? body.instructions : "", messages: [{ content: input }], tools: body?.tools });
}

function converter(machine: ResponsesFromChatStream): StreamConverter {
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

/** A whole chat completion (a backend that did not stream) through the stream converter, as its chunks; the events. */
function feedWhole(machine: ResponsesFromChatStream, text: string): string {
  const j = JSON.parse(text);
  if (j?.error && !Array.isArray(j.choices)) return machine.fail(chunkFailure(j.error));
  return (
    new SseParser()
      .push(completionChunks(j))
      .map((e) => machine.push(e))
      .join("") + machine.end()
  );
}

const STATUS_OF_FAILURE: Record<string, number> = { context_length_exceeded: 400, rate_limit_exceeded: 429, insufficient_quota: 429, invalid_prompt: 400 };

/** A failure before anything was sent to a non-streaming client: an HTTP error in OpenAI's shape. */
function failedAnswer(f: ResponsesFailure): LLMResponse {
  const status = STATUS_OF_FAILURE[f.code] ?? 500;
  const type =
    status === 429 ? (f.code === "insufficient_quota" ? "insufficient_quota" : "requests") : status === 400 ? "invalid_request_error" : "server_error";
  return jsonAnswer(status, {
    error: { message: f.message, type, param: f.code === "context_length_exceeded" ? "input" : null, code: f.code === "server_error" ? null : f.code },
  });
}

/** An upstream HTTP error as the error a Responses client (Codex) acts on. */
async function errorAnswer(res: LLMResponse, ctx: ResponsesContext): Promise<LLMResponse> {
  const body = await readErrorBody(res);
  const parsed: Body | undefined = typeof body === "object" ? body : undefined;
  const text = typeof body === "string" ? body : "";
  const e: Body = parsed?.error && typeof parsed.error === "object" ? parsed.error : (parsed ?? {});
  const message = String(e.message ?? (typeof parsed?.error === "string" ? parsed.error : text.slice(0, 500)) ?? "upstream error").slice(0, 2000);
  const code = String(e.code ?? "");
  const s = res.status;
  let out: LLMResponse;
  if ((s === 400 || s === 413 || s === 422) && isContextOverflow(message, [e.code, e.type])) {
    out = jsonAnswer(400, { error: { message, type: "invalid_request_error", param: "input", code: "context_length_exceeded" } });
  } else if (s === 429 && (code === "insufficient_quota" || /quota/i.test(message))) {
    out = jsonAnswer(429, { error: { message, type: "insufficient_quota", param: null, code: "insufficient_quota" } });
  } else if (s === 429) {
    const after = Number(res.headers.get("retry-after"));
    const hint = Number.isFinite(after) && after > 0 && !/try again in/i.test(message) ? ` Please try again in ${Math.ceil(after)}s.` : "";
    out = jsonAnswer(429, { error: { message: `${message}${hint}`, type: "requests", param: null, code: "rate_limit_exceeded" } });
  } else if (s === 400 || s === 422 || s === 404 || s === 403 || s === 413) {
    out = jsonAnswer(s === 422 ? 400 : s, {
      error: { message: `upstream: ${message}`, type: "invalid_request_error", param: e.param ?? null, code: e.code ?? null },
    });
  } else {
    const status = s === 503 || s === 529 ? 503 : s === 504 || s === 408 ? 504 : 500; // Codex retries these (never server_is_overloaded: fatal to it)
    out = jsonAnswer(status, { error: { message: `upstream: ${message}`, type: "server_error", param: null, code: null } });
  }
  return withRequestId(convertedError(out, res), ctx);
}

function withRequestId(res: LLMResponse, ctx: ResponsesContext): LLMResponse {
  if (ctx.requestId) res.headers.set("x-request-id", ctx.requestId);
  return res;
}
