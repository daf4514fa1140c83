import { GatewayError, LazyBody, type Engine, type LLMRequest, type LLMResponse } from "../../core";
import { openaiChunks, openaiCompletion, type MockReply } from "./replies";
import { estimateInputTokens } from "../../convert";
import { meteredStream } from "../../protocols";
import { estimateTokens, lastUserText, splitPieces } from "./text";
import { agentTurn } from "./agent";
import { formattedText } from "./json-answer";

/** Settings of the built-in mock backend. */
export interface MockOptions {
  /** Fixed reply text; by default the mock greets and echoes the last user message. */
  text?: string;
  /** About how many stream chunks carry the text. */
  chunks?: number;
  /** Delay before the answer starts, in ms. */
  latencyMs?: number;
  /** Delay between stream chunks, in ms. */
  chunkDelayMs?: number;
  /** Agent mode (default on): call the client's own tool when the user asks for what a tool does. */
  agent?: boolean;
}

const encoder = new TextEncoder();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let counter = 0;

/**
 * A backend inside the gateway that answers chat completions, streaming or not, with no network. It speaks the
 * hub's form only: the gateway converts every other API to it, as for any chat backend.
 */
export class MockEngine implements Engine {
  constructor(private readonly opts: MockOptions = {}) {}

  async process(req: LLMRequest): Promise<LLMResponse> {
    const body = req.body.json<Record<string, unknown>>();
    if (!body || typeof body !== "object" || Array.isArray(body)) throw new GatewayError("invalid_request", "body must be a JSON object");
    if (!Array.isArray(body.messages)) throw new GatewayError("invalid_request", "messages: expected an array", { param: "messages" });
    const model = String(body.model ?? "mock");
    const inputTokens = estimateInputTokens(body);
    if (req.format !== "openai.chat")
      throw new GatewayError("invalid_request", `the mock backend answers chat completions (${req.format} is converted to them)`);
    if (this.opts.latencyMs) await sleep(this.opts.latencyMs);
    const turn = this.opts.agent === false ? undefined : agentTurn(body);
    const said = turn && "text" in turn ? turn.text : (this.opts.text ?? greeting(lastUserText(body.messages)));
    const text = turn && "call" in turn ? said : formattedText(body.response_format, said); // JSON when JSON was asked for
    const n = (++counter).toString(36);
    const call = turn && "call" in turn ? { id: `call_mock_${n}`, name: turn.call.name, arguments: JSON.stringify(turn.call.input) } : undefined;
    const reply: MockReply = {
      id: `chatcmpl_mock_${n}`,
      model,
      text,
      pieces: splitPieces(text, this.opts.chunks ?? 8),
      inputTokens,
      outputTokens: estimateTokens(call ? call.arguments : text),
      call,
    };
    if (body.stream !== true) return json(openaiCompletion(reply));
    const includeUsage = (body.stream_options as Record<string, unknown> | undefined)?.include_usage === true;
    const events = openaiChunks(reply, includeUsage);
    return { status: 200, headers: sseHeaders(), stream: meteredStream(eventStream(events, this.opts.chunkDelayMs ?? 0, req.signal)) };
  }
}

function greeting(userText: string): string {
  const said = userText.trim().slice(0, 200);
  return said ? `Hello from the OctoLLM mock backend. You said: ${said}` : "Hello from the OctoLLM mock backend.";
}

function json(value: object): LLMResponse {
  return { status: 200, headers: new Headers({ "content-type": "application/json" }), body: LazyBody.fromValue(value) };
}

function sseHeaders(): Headers {
  return new Headers({ "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" });
}

function eventStream(events: string[], delayMs: number, signal: AbortSignal): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>(
    {
      async pull(ctrl) {
        if (i > 0 && delayMs > 0) await sleep(delayMs);
        if (signal.aborted || i >= events.length) return ctrl.close();
        ctrl.enqueue(encoder.encode(events[i++]!));
      },
    },
    { highWaterMark: 0 },
  );
}
