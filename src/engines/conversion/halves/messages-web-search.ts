// An Anthropic client's request with the web_search server tool: the gateway runs the model's searches between
// its turns (web-search-loop.ts) and answers with one message, streamed or whole.
import type { LLMRequest, LLMResponse } from "../../../core";
import type { BackendProfile, MessagesContext } from "../../../convert";
import { meteredStream } from "../../../protocols";
import type { SearchConfig } from "../../web-search";
import type { StreamConverter } from "../event-stream";
import { eventsToMessage } from "../message-events";
import { SSE_HEADERS, jsonAnswer, readErrorBody } from "../read-all";
import { convertAnswer } from "../shape-errors";
import { WebSearchLoop } from "../web-search-loop";
import { mappedError } from "./messages-errors";
import type { HubCall } from "./types";

type Body = Record<string, any>;

/** Runs a request's turns and searches through `call`; the client's answer. */
export async function runWebSearch(
  body: Body,
  ctx: MessagesContext,
  profile: BackendProfile,
  search: SearchConfig,
  call: HubCall,
  converter: (ctx: MessagesContext) => StreamConverter,
  req: LLMRequest,
): Promise<LLMResponse> {
  const turnBody = { ...body, stream: true, stream_options: profile.streamUsage ? { include_usage: true } : undefined };
  const first = await call(turnBody);
  if (first.status >= 400) return mappedError(await readErrorBody(first), first.status, ctx, first);
  const counted = () => void (req.ctx.webSearches = (req.ctx.webSearches ?? 0) + 1);
  const loop = new WebSearchLoop(turnBody, ctx, profile, search, call, converter, req.signal, counted);
  const events = loop.events(first);
  if (ctx.stream) return { status: 200, headers: new Headers(SSE_HEADERS), stream: meteredStream(readableOf(events)) };
  let text = "";
  for await (const out of events) text += out;
  return jsonAnswer(
    200,
    convertAnswer(() => eventsToMessage(text, ctx.requestedModel)),
  );
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
