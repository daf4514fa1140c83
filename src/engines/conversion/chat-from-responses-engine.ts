// Serves OpenAI Chat Completions from an OpenAI Responses backend (models served only there, gpt-5.x-codex):
// the request, the answer (streamed or whole) and errors are converted; other requests pass through.
import { LazyBody, streamFailure, type Engine, type LLMRequest, type LLMResponse } from "../../core";
import { convertedHeaders } from "./converted-headers";
import { ChatFromResponsesStream, chatFromResponsesResponse, chatFromResponsesRequest, makeProfile, type BackendProfile } from "../../convert";
import { meteredStream } from "../../protocols";
import { openaiErrorDetail } from "../../protocols/openai";
import { converterStage, type StreamConverter } from "./event-stream";
import { completionChunks, eventsToCompletion } from "./chat-events";
import { SSE_HEADERS, jsonAnswer, readAll, withoutQuery } from "./read-all";
import { convertAnswer, convertRequest } from "./shape-errors";

/** The chat engine over a Responses backend; `carryState` passes reasoning state on to a converter above it. */
export class ChatFromResponsesEngine implements Engine {
  private readonly profile: BackendProfile;

  constructor(
    private readonly next: Engine,
    profile: Partial<BackendProfile> = {},
    private readonly carryState = false,
  ) {
    this.profile = makeProfile(profile);
  }

  async process(req: LLMRequest): Promise<LLMResponse> {
    if (req.format !== "openai.chat") return this.next.process(req);
    const { body, ctx } = convertRequest(() => chatFromResponsesRequest(req.body.json(), this.profile, this.carryState));
    const headers = convertedHeaders(req.headers, "openai");
    const res = await this.next.process({ ...req, format: "openai.responses", path: withoutQuery(req.path), headers, body: LazyBody.fromValue(body) });
    if (res.status >= 400) return res; // Responses errors are in OpenAI's shape already
    const machine = new ChatFromResponsesStream(ctx);
    const conv: StreamConverter = {
      push: (e) => machine.push(e),
      end: () => machine.end(),
      fail: (err) => machine.error(openaiErrorDetail(streamFailure(err))),
      ping: () => (machine.done ? "" : ": ping\n\n"),
      get done() {
        return machine.done;
      },
    };
    if (res.stream && (res.headers.get("content-type") ?? "").startsWith("text/event-stream")) {
      const converted = res.stream.through(converterStage(conv, ctx.stream ? this.profile.pingIntervalMs : 0, "convert openai-responses → chat"));
      if (ctx.stream) return { status: 200, headers: new Headers(SSE_HEADERS), stream: converted };
      return jsonAnswer(200, await convertAnswer(async () => eventsToCompletion(await readAll({ ...res, stream: converted }), ctx.requestedModel)));
    }
    const text = await readAll(res);
    const completion = convertAnswer(() => chatFromResponsesResponse(JSON.parse(text), ctx));
    if (!ctx.stream) return jsonAnswer(200, completion);
    return { status: 200, headers: new Headers(SSE_HEADERS), stream: meteredStream(new Response(completionChunks(completion)).body!) }; // a backend that did not stream
  }
}
