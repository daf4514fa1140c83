// For client halves whose stream machine also builds the whole answer (Responses, Gemini): a whole hub answer is
// fed through the same machine as its chunks, so a streamed and a whole answer end in the same object.
import { SseParser, type LLMResponse, type SseEvent } from "../../../core";
import { meteredStream } from "../../../protocols";
import { completionChunks } from "../chat-events";
import { SSE_HEADERS, readAll } from "../read-all";
import { convertAnswer } from "../shape-errors";

type Body = Record<string, any>;

/** A stream machine: the client's events for each hub chunk, and at the end. */
export interface AnswerMachine {
  push(e: SseEvent): string;
  end(): string;
}

/** A whole hub completion's text through `machine` as its chunks; an error sent as a 200 goes to `failed`. */
function feedWhole(machine: AnswerMachine, text: string, failed: (error: Body) => string): string {
  const j = JSON.parse(text);
  if (j?.error && !Array.isArray(j.choices)) return failed(j.error);
  return (
    new SseParser()
      .push(completionChunks(j))
      .map((e) => machine.push(e))
      .join("") + machine.end()
  );
}

/** A whole hub answer through `machine`: its events when the client streams (a backend that did not), else `final()`. */
export async function wholeThroughMachine(
  res: LLMResponse,
  machine: AnswerMachine,
  streams: boolean,
  failed: (error: Body) => string,
  final: () => LLMResponse,
): Promise<LLMResponse> {
  const text = await readAll(res);
  const events = convertAnswer(() => feedWhole(machine, text, failed));
  if (streams) return { status: 200, headers: new Headers(SSE_HEADERS), stream: meteredStream(new Response(events).body!) };
  return final();
}
