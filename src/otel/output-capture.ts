// The answer's text for a sampled trace that captures content: from a whole answer, or from a stream's events as
// they pass (a stage that reads each event's text with the client API's codec and hands the event on unchanged).
import type { EventStage, SseEvent } from "../core";
import type { ApiCodec } from "../protocols";

/** gen_ai.output.messages for an answer's text: one assistant message, cut to `max` characters. */
export function outputMessages(text: string, finishReasons: readonly string[] | undefined, max: number): string {
  const message: Record<string, unknown> = { role: "assistant", parts: [{ type: "text", content: text.slice(0, max) }] };
  if (finishReasons?.length) message.finish_reason = finishReasons[0];
  return JSON.stringify([message]).slice(0, max);
}

/** The text of a whole answer (JSON bytes in the codec's API), or "" when it does not parse. */
export function answerTextOf(codec: ApiCodec, bytes: Uint8Array, max: number): string {
  try {
    return codec.answerText(JSON.parse(new TextDecoder().decode(bytes))).slice(0, max);
  } catch {
    return "";
  }
}

/** A pass-through stage that collects the text of the events (up to `max` characters) into `into.text`. */
export function textCollector(codec: ApiCodec, max: number, into: { text: string }): EventStage {
  return {
    reads: "events",
    name: "trace-output",
    push(events: readonly SseEvent[]) {
      for (const ev of events) {
        if (into.text.length >= max || ev.data.charCodeAt(0) !== 123 /* { */) continue;
        try {
          into.text += codec.eventText(ev.json() as Record<string, unknown>);
        } catch {
          /* not JSON: no text */
        }
      }
      if (into.text.length > max) into.text = into.text.slice(0, max);
      return events;
    },
    end: () => "",
    fail: () => ({ out: "", answered: false }),
    done: false,
  };
}
