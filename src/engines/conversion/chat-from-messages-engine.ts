import { LazyBody, streamFailure, type Engine, type LLMRequest, type LLMResponse, type SseEvent } from "../../core";
import { convertedHeaders } from "./converted-headers";
import { ChatFromMessagesStream, chatFromMessagesRequest, chatFromMessagesError, chatFromMessagesResponse, type StructuredOutput } from "../../convert";
import { openaiErrorDetail } from "../../protocols/openai";
import { converterStage, type StreamConverter } from "./event-stream";
import { convertedError, SSE_HEADERS, jsonAnswer, readAll, readErrorBody, withoutQuery } from "./read-all";
import { convertAnswer, convertRequest } from "./shape-errors";

/** Options of the reverse converter. */
export interface ChatFromMessagesOptions {
  /** max_tokens to send when the client gave none (Anthropic requires it). */
  defaultMaxTokens?: number;
  /** Keep-alive comment interval on converted streams (0: none). */
  pingIntervalMs?: number;
  /** How a json_schema response_format is asked of the backend (default output_config). */
  structuredOutput?: StructuredOutput;
  /** Pass thinking signatures on to a converter above (never to a client). */
  carryState?: boolean;
}

/** Serves OpenAI Chat Completions from an Anthropic Messages backend; Anthropic requests pass through untouched. */
export class ChatFromMessagesEngine implements Engine {
  constructor(
    private readonly next: Engine,
    private readonly opts: ChatFromMessagesOptions = {},
  ) {}

  async process(req: LLMRequest): Promise<LLMResponse> {
    if (req.format !== "openai.chat") return this.next.process(req);
    const { body, ctx } = convertRequest(() =>
      chatFromMessagesRequest(req.body.json(), this.opts.defaultMaxTokens || 8192, this.opts.structuredOutput, this.opts.carryState),
    );
    const headers = convertedHeaders(req.headers, "anthropic");
    const res = await this.next.process({ ...req, format: "anthropic.messages", path: withoutQuery(req.path), headers, body: LazyBody.fromValue(body) });
    if (res.status >= 400) {
      const mapped = chatFromMessagesError(await readErrorBody(res), res.status);
      return convertedError(jsonAnswer(mapped.status, { error: mapped.openai }), res);
    }
    if (res.stream && (res.headers.get("content-type") ?? "").startsWith("text/event-stream")) {
      const machine = new ChatFromMessagesStream(ctx);
      const conv: StreamConverter = {
        push: (e: SseEvent) => machine.push(e),
        end: () => machine.end(),
        fail: (err) => machine.error(openaiErrorDetail(streamFailure(err))), // the same error as a passed-through stream's
        ping: () => (machine.done ? "" : ": ping\n\n"),
        get done() {
          return machine.done;
        },
        get usage() {
          return machine.usage; // the upstream's own, also when the client did not ask to see it
        },
      };
      return {
        status: 200,
        headers: new Headers(SSE_HEADERS),
        stream: res.stream.through(converterStage(conv, this.opts.pingIntervalMs ?? 15_000, "convert anthropic-messages → chat")),
      };
    }
    const text = await readAll(res);
    return jsonAnswer(
      200,
      convertAnswer(() => chatFromMessagesResponse(JSON.parse(text), ctx)),
    );
  }
}
