// Anthropic's web_search server tool on an OpenAI-compatible backend: the gateway declares a search function
// for the model, runs the searches the model asks for, feeds the results back, and asks again, until the model
// answers. The client sees one Anthropic message: server_tool_use and web_search_tool_result blocks between
// the model's own blocks, usage summed over the turns with usage.server_tool_use.web_search_requests.
import { SseParser, type LLMResponse, type SseEvent } from "../../core";
import {
  messagesFromChatError,
  messagesFromChatResponse,
  randomBase62,
  resultBlock,
  resultText,
  type BackendProfile,
  type MessagesContext,
  type SearchResult,
} from "../../convert";
import { anthropicEvent as ev } from "../../protocols/anthropic-messages";
import { SearchUnavailable, webSearch, type SearchConfig } from "../web-search";
import { converterStage, type StreamConverter } from "./event-stream";
import { messageEvents } from "./message-events";
import { readAll, readErrorBody } from "./read-all";

type Body = Record<string, any>;

/** Sends one turn's chat body to the backend. */
export type SendTurn = (body: Body) => Promise<LLMResponse>;

/** Upstream calls for one client request at most (the model gets this many chances to search, then answers). */
const MAX_TURNS = 6;
/** Searches one client request runs at most, and one model turn, unless the config says otherwise (each is paid). */
const MAX_PER_REQUEST = 10;
const MAX_PER_TURN = 5;

interface SearchCall {
  id: string;
  chatId: string;
  index: number;
  json: string;
}

interface Turn {
  calls: SearchCall[];
  /** Search calls past the turn's bound: neither run nor shown; the model is told so in the next turn. */
  dropped: SearchCall[];
  clientCalls: number;
  text: string;
  thinking: string;
  stop?: string;
  stopSequence?: string | null;
  usage?: Body;
  failed: boolean;
}

/** One request's run of model turns and searches; `events()` yields the client's Anthropic SSE text. */
export class WebSearchLoop {
  private next = 0; // the client's next block index
  private searches = 0;
  private readonly usage = { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };

  constructor(
    private readonly body: Body,
    private readonly ctx: MessagesContext,
    private readonly profile: BackendProfile,
    private readonly search: SearchConfig,
    private readonly send: SendTurn,
    private readonly converter: (ctx: MessagesContext) => StreamConverter,
    private readonly signal: AbortSignal,
    /** Told of each search run (the access log and metrics count them). */
    private readonly onSearch: () => void = () => {},
  ) {}

  /** The most searches this request may run: the client's max_uses, never past the configured bound. */
  private get allowed(): number {
    return Math.min(this.ctx.webSearch?.maxUses ?? Number.POSITIVE_INFINITY, this.search.maxPerRequest ?? MAX_PER_REQUEST);
  }

  /** The client's events, starting from the first turn's answer (already known to be a success). */
  async *events(first: LLMResponse): AsyncGenerator<string> {
    const messages: Body[] = [...this.body.messages];
    let res = first;
    let stop = "end_turn";
    let stopSequence: string | null = null;
    for (let turn = 0; ; turn++) {
      const t: Turn = { calls: [], dropped: [], clientCalls: 0, text: "", thinking: "", failed: false };
      for await (const out of this.turnEvents(res, turn, t)) yield out;
      if (t.failed) return;
      this.addUsage(t.usage);
      stop = t.stop ?? "end_turn";
      stopSequence = t.stopSequence ?? null;
      if (t.calls.length === 0) break;
      yield ev("ping", {});
      const answers = await Promise.all(t.calls.map((c) => this.runSearch(c)));
      for (const [i, c] of t.calls.entries()) yield* blockEvents(this.next++, resultBlock(c.id, answers[i]!.block));
      stop = "end_turn";
      if (t.clientCalls > 0) {
        stop = "tool_use"; // the client runs its own tools; the searches are already in the answer
        break;
      }
      if (turn + 1 >= Math.min(MAX_TURNS, this.allowed + 1) || this.signal.aborted) {
        stop = "pause_turn"; // Anthropic's word for "send this back to continue"
        break;
      }
      const skipped = `not run: at most ${this.search.maxPerTurn ?? MAX_PER_TURN} searches a turn`;
      messages.push(
        this.assistantTurn(t),
        ...t.calls.map((c, i) => ({ role: "tool", tool_call_id: c.chatId, content: answers[i]!.text })),
        ...t.dropped.map((c) => ({ role: "tool", tool_call_id: c.chatId, content: skipped })),
      );
      res = await this.send({ ...this.body, messages, tool_choice: this.body.tool_choice === undefined ? undefined : "auto" });
      if (res.status >= 400) {
        yield ev("error", { error: messagesFromChatError(await readErrorBody(res), res.status, this.ctx.maxTokens).anthropic, request_id: this.ctx.requestId });
        return;
      }
    }
    const usage = { ...this.usage, server_tool_use: { web_search_requests: this.searches } };
    yield ev("message_delta", { delta: { stop_reason: stop, stop_sequence: stopSequence }, usage }) + ev("message_stop", {});
  }

  /** One turn's converted events, renumbered into the client's message; search calls become server_tool_use. */
  private async *turnEvents(res: LLMResponse, turn: number, t: Turn): AsyncGenerator<string> {
    const ws = this.ctx.webSearch!;
    const local = new Map<number, SearchCall | number>(); // the turn's block index → a search call, or the client's index
    for await (const e of convertedEvents(res, this.converter(this.ctx), this.profile.pingIntervalMs, (r) => this.wholeAnswer(r))) {
      const d = e.json<Body>();
      switch (d.type) {
        case "message_start":
          if (turn === 0) yield e.raw;
          break;
        case "content_block_start": {
          const b = d.content_block ?? {};
          if (b.type === "tool_use" && b.name === ws.name) {
            const call = { id: `srvtoolu_${randomBase62(24)}`, chatId: String(b.id), index: -1, json: "" };
            local.set(d.index, call);
            if (t.calls.length >= (this.search.maxPerTurn ?? MAX_PER_TURN)) {
              t.dropped.push(call); // past the turn's bound: not run, and not shown to the client
              break;
            }
            call.index = this.next++;
            t.calls.push(call);
            yield ev("content_block_start", { index: call.index, content_block: { type: "server_tool_use", id: call.id, name: ws.name, input: {} } });
            break;
          }
          const index = this.next++;
          if (b.type === "tool_use") t.clientCalls++;
          local.set(d.index, index);
          yield ev("content_block_start", { ...d, index, type: undefined });
          break;
        }
        case "content_block_delta": {
          const at = local.get(d.index);
          if (typeof at === "object") at.json += d.delta?.partial_json ?? "";
          if (typeof at === "object" && at.index < 0) break; // a dropped call
          if (d.delta?.type === "text_delta") t.text += d.delta.text;
          if (d.delta?.type === "thinking_delta") t.thinking += d.delta.thinking;
          yield ev("content_block_delta", { ...d, index: typeof at === "object" ? at.index : at, type: undefined });
          break;
        }
        case "content_block_stop": {
          const at = local.get(d.index);
          if (typeof at === "object" && at.index < 0) break;
          yield ev("content_block_stop", { index: typeof at === "object" ? at.index : at });
          break;
        }
        case "message_delta":
          t.stop = d.delta?.stop_reason;
          t.stopSequence = d.delta?.stop_sequence;
          t.usage = d.usage;
          break;
        case "message_stop":
          break;
        case "error":
          t.failed = true;
          yield e.raw;
          return;
        default:
          yield e.raw; // ping
      }
    }
  }

  private async runSearch(c: SearchCall): Promise<{ block: SearchResult[] | { error: string }; text: string }> {
    const ws = this.ctx.webSearch!;
    let query = "";
    try {
      query = String(JSON.parse(c.json || "{}").query ?? "").trim();
    } catch {}
    const fail = (error: string, message: string) => ({ block: { error }, text: resultText(query, { error, message }) });
    if (!query) return fail("invalid_tool_input", "the call has no query");
    if (query.length > 400) return fail("query_too_long", "the query is longer than 400 characters");
    if (this.searches >= this.allowed) return fail("max_uses_exceeded", `at most ${this.allowed} searches; answer with what you have`);
    this.searches++;
    this.onSearch();
    try {
      const results = await webSearch(this.search, query, { allowedDomains: ws.allowedDomains, blockedDomains: ws.blockedDomains, signal: this.signal });
      return { block: results, text: resultText(query, results) };
    } catch (err) {
      const e = SearchUnavailable.of(err);
      return fail(e.code, e.message);
    }
  }

  /** The model's turn as a chat assistant message: its text and its search calls. */
  private assistantTurn(t: Turn): Body {
    const calls = [...t.calls, ...t.dropped].map((c) => ({
      id: c.chatId,
      type: "function",
      function: { name: this.ctx.webSearch!.name, arguments: c.json || "{}" },
    }));
    const msg: Body = { role: "assistant", content: t.text || (this.profile.assistantNullContent ? null : ""), tool_calls: calls };
    if (t.thinking && this.profile.reasoningHistory !== "drop") msg[this.profile.reasoningHistory] = t.thinking;
    return msg;
  }

  /** A backend that answered a turn with whole JSON: the converted message as stream events. */
  private async wholeAnswer(res: LLMResponse): Promise<ReadableStream<Uint8Array>> {
    const text = await readAll(res);
    let out: string;
    try {
      out = messageEvents(messagesFromChatResponse(JSON.parse(text), this.ctx, this.profile));
    } catch (err) {
      const message = `upstream answer could not be read: ${(err as Error)?.message ?? err}`;
      out = ev("error", { error: { type: "api_error", message }, request_id: this.ctx.requestId });
    }
    return new Response(out).body!;
  }

  private addUsage(u: Body | undefined): void {
    for (const k of Object.keys(this.usage) as (keyof typeof this.usage)[]) if (typeof u?.[k] === "number") this.usage[k] += u[k];
  }
}

/** A block as stream events: its start (whole, for a result block), and its stop. */
function* blockEvents(index: number, block: Body): Generator<string> {
  yield ev("content_block_start", { index, content_block: block }) + ev("content_block_stop", { index });
}

/** The Anthropic events of one converted upstream answer (a stream, or a whole JSON answer). */
async function* convertedEvents(
  res: LLMResponse,
  conv: StreamConverter,
  pingMs: number,
  wholeAnswer: (res: LLMResponse) => Promise<ReadableStream<Uint8Array>>,
): AsyncGenerator<SseEvent & { raw: string }> {
  const parser = new SseParser();
  const source = res.stream
    ? res.stream.through(converterStage(conv, pingMs, "convert chat → anthropic-messages (web search turn)")).readable()
    : await wholeAnswer(res);
  const reader = source.getReader();
  const decoder = new TextDecoder();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      const events = done ? parser.end() : parser.push(decoder.decode(value, { stream: true }));
      for (const e of events) yield Object.assign(e, { raw: `event: ${e.event}\ndata: ${e.data}\n\n` });
      if (done) return;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}
