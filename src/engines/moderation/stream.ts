// Output moderation of a stream: events are held back while the text they carry fills a window; a full
// window (with the tail of the previous one, so a phrase split across windows is still seen) is checked
// before its events go out. Events without text go out at once when nothing is held. While a window is
// under check the upstream is not read (TCP backpressure), so at most one window is ever held back and
// the client never receives text that failed a check. On a flag the upstream is cancelled and the stream
// ends cleanly in the caller's protocol.
import { SseParser, formatSse, type ApiFormat, type SseEvent } from "../../core";
import { StreamPosition } from "./endings";
import { eventText } from "./text";

/** What a check of one window decided: allow; flag (end with the replacement); fail (end with an error). */
export type WindowOutcome = { kind: "allow" } | { kind: "flag" } | { kind: "fail"; errorEvent: string };

/** Options of moderateStream. */
export interface StreamModerationOptions {
  format: ApiFormat;
  /** The model name the client asked for (for events the gateway has to make up). */
  model: string;
  /** Characters of text per checked window. */
  windowChars: number;
  /** Or: events with text per checked window (0: by characters only). */
  windowChunks: number;
  /** Longest time text is held waiting for its window to fill (0: no limit). */
  holdMs: number;
  /** Checks one window's text. */
  check(text: string): Promise<WindowOutcome>;
  /** What a flag ends the stream with: the replacement text, or an error event. */
  onFlag: { replacement: string } | { errorEvent: string };
}

/** Characters of the previous window checked again with the next one. */
const OVERLAP = 200;
const encoder = new TextEncoder();

type ReadResult = { done: boolean; value?: Uint8Array };
interface Held { event: SseEvent; parsed: Record<string, any> | undefined; text: string }

/** Returns `src` (SSE bytes) as it passes output moderation. */
export function moderateStream(src: ReadableStream<Uint8Array>, opts: StreamModerationOptions): ReadableStream<Uint8Array> {
  const reader = src.getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser();
  const position = new StreamPosition(opts.format, opts.model);
  let held: Held[] = [];
  let heldChars = 0;
  let heldPieces = 0; // events with text among the held ones
  let previous = ""; // the end of the last checked window
  let pending: Promise<ReadResult> | undefined; // a read that outlived a hold timer

  const hold = (event: SseEvent) => {
    let parsed: Record<string, any> | undefined;
    try {
      parsed = event.data === "[DONE]" ? undefined : event.json();
    } catch {
      parsed = undefined;
    }
    position.seen(parsed);
    const text = parsed ? eventText(opts.format, parsed) : "";
    held.push({ event, parsed, text });
    heldChars += text.length;
    if (text) heldPieces++;
  };
  const release = (): string => {
    let out = "";
    for (const h of held) {
      position.sent(h.parsed, h.text);
      out += formatSse(h.event);
    }
    held = [];
    heldChars = 0;
    heldPieces = 0;
    return out;
  };
  /** Checks what is held (when it has text) and releases it; or returns how the stream ends. */
  const checkHeld = async (): Promise<{ out: string; over: boolean }> => {
    if (heldChars === 0) return { out: release(), over: false };
    const text = held.map((h) => h.text).join("");
    const outcome = await opts.check(previous + text);
    previous = text.slice(-OVERLAP);
    if (outcome.kind === "allow") return { out: release(), over: false };
    held = [];
    reader.cancel("output flagged by moderation").catch(() => {});
    if (outcome.kind === "fail") return { out: outcome.errorEvent, over: true };
    return { out: "errorEvent" in opts.onFlag ? opts.onFlag.errorEvent : position.ending(opts.onFlag.replacement), over: true };
  };
  /** Takes events one at a time, so windows close at the same events however the bytes were split. */
  const takeAll = async (events: SseEvent[], atEnd: boolean): Promise<{ out: string; over: boolean }> => {
    let out = "";
    for (const event of events) {
      hold(event);
      if (heldChars === 0 || heldChars >= opts.windowChars || (opts.windowChunks > 0 && heldPieces >= opts.windowChunks)) {
        const r = await checkHeld();
        out += r.out;
        if (r.over) return { out, over: true };
      }
    }
    if (!atEnd) return { out, over: false };
    const r = await checkHeld();
    return { out: out + r.out, over: true };
  };
  /** The next read, or undefined when text is held and nothing came within the hold time. */
  const nextRead = async (): Promise<ReadResult | undefined> => {
    const read = pending ?? reader.read();
    pending = undefined;
    if (heldChars === 0 || !opts.holdMs) return read;
    let expire!: (value: undefined) => void;
    const expired = new Promise<undefined>((resolve) => (expire = resolve));
    const timer = setTimeout(() => expire(undefined), opts.holdMs);
    const first = await Promise.race([read, expired]);
    clearTimeout(timer);
    if (first === undefined) pending = read;
    return first;
  };

  return new ReadableStream<Uint8Array>(
    {
      async pull(ctrl) {
        for (;;) {
          let r: ReadResult | undefined;
          let result: { out: string; over: boolean };
          let failure: unknown;
          let events: SseEvent[] | undefined;
          try {
            r = await nextRead();
            if (r) events = r.done ? [...parser.push(decoder.decode()), ...parser.end()] : parser.push(decoder.decode(r.value!, { stream: true }));
          } catch (err) {
            failure = err;
            if (r && !r.done) reader.cancel(err).catch(() => {}); // an event past the size bound: stop reading
          }
          if (failure !== undefined) {
            // the upstream failed: what is held is checked first, then the failure goes on (the server adds the error event)
            result = await checkHeld();
          } else if (!r) result = await checkHeld(); // held too long: check what there is
          else result = await takeAll(events!, r.done);
          if (result.out) ctrl.enqueue(encoder.encode(result.out));
          if (failure !== undefined && !result.over) return ctrl.error(failure);
          if (result.over) return ctrl.close();
          if (result.out) return;
        }
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
