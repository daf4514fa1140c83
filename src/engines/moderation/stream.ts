// Output moderation of a stream: events are held back while the text they carry fills a window; a full
// window (with the tail of the previous one, so a phrase split across windows is still seen) is checked
// before its events go out. Events without text go out at once when nothing is held. While a window is
// under check the upstream is not read (TCP backpressure), so at most one window is ever held back and
// the client never receives text that failed a check. On a flag the upstream is cancelled and the stream
// ends cleanly in the caller's protocol. It is a stage of the answer's stream pipeline.
import { splitSse, type ApiFormat, type EventStage, type SseEvent, type StageFailure } from "../../core";
import { codecOf, type ApiCodec, type StreamEnding } from "../../protocols";

/** What a check of one window decided: allow; flag (end with the replacement); fail (end with an error). */
export type WindowOutcome = { kind: "allow" } | { kind: "flag" } | { kind: "fail"; errorEvent: string };

/** Options of ModerationStage. */
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

interface Held {
  event: SseEvent;
  parsed: Record<string, any> | undefined;
  text: string;
}
type Step = { out: SseEvent[]; over: boolean };

/** The output moderation of an SSE stream (any API), as a pipeline stage that reads events. */
export class ModerationStage implements EventStage {
  readonly reads = "events";
  readonly name = "moderate";
  private readonly codec: ApiCodec;
  private readonly position: StreamEnding;
  private held: Held[] = [];
  private heldChars = 0;
  private heldPieces = 0; // events with text among the held ones
  private previous = ""; // the end of the last checked window
  private over = false;

  constructor(private readonly opts: StreamModerationOptions) {
    this.codec = codecOf(opts.format);
    this.position = this.codec.streamEnding(opts.model);
  }

  get done(): boolean {
    return this.over;
  }

  /** A flagged stream stops the upstream: nothing more of it is wanted. */
  readonly cancelSource = true;

  async push(events: readonly SseEvent[]): Promise<SseEvent[]> {
    return this.settle(await this.takeAll(events, false));
  }

  async end(): Promise<SseEvent[]> {
    return this.settle(await this.takeAll([], true));
  }

  /** The upstream failed: what is held is checked first, then the failure goes on (unless the check ended the stream). */
  async fail(): Promise<StageFailure> {
    const r = await this.checkHeld();
    this.over ||= r.over;
    return { out: r.out, answered: r.over };
  }

  holdingMs(): number {
    return this.heldChars > 0 ? this.opts.holdMs : 0;
  }

  /** Held too long: check what there is. */
  async flush(): Promise<SseEvent[]> {
    return this.settle(await this.checkHeld());
  }

  private settle(step: Step): SseEvent[] {
    if (step.over) this.over = true;
    return step.out;
  }

  private hold(event: SseEvent): void {
    let parsed: Record<string, any> | undefined;
    try {
      parsed = event.isDone ? undefined : event.json();
    } catch {
      parsed = undefined;
    }
    this.position.seen(parsed);
    const text = parsed ? this.codec.eventText(parsed) : "";
    this.held.push({ event, parsed, text });
    this.heldChars += text.length;
    if (text) this.heldPieces++;
  }

  private release(): SseEvent[] {
    const out: SseEvent[] = [];
    for (const h of this.held) {
      this.position.sent(h.parsed, h.text);
      out.push(h.event);
    }
    this.held = [];
    this.heldChars = 0;
    this.heldPieces = 0;
    return out;
  }

  /** Checks what is held (when it has text) and releases it; or returns how the stream ends. */
  private async checkHeld(): Promise<Step> {
    if (this.heldChars === 0) return { out: this.release(), over: false };
    const text = this.held.map((h) => h.text).join("");
    const outcome = await this.opts.check(this.previous + text);
    this.previous = text.slice(-OVERLAP);
    if (outcome.kind === "allow") return { out: this.release(), over: false };
    this.held = [];
    this.heldChars = 0;
    if (outcome.kind === "fail") return { out: splitSse(this.position.failure(outcome.errorEvent)), over: true };
    const onFlag = this.opts.onFlag;
    const ending = "errorEvent" in onFlag ? this.position.failure(onFlag.errorEvent) : this.position.ending(onFlag.replacement);
    return { out: splitSse(ending), over: true };
  }

  /** Takes events one at a time, so windows close at the same events however the bytes were split. */
  private async takeAll(events: readonly SseEvent[], atEnd: boolean): Promise<Step> {
    const out: SseEvent[] = [];
    const { windowChars, windowChunks } = this.opts;
    for (const event of events) {
      this.hold(event);
      if (this.heldChars === 0 || this.heldChars >= windowChars || (windowChunks > 0 && this.heldPieces >= windowChunks)) {
        const r = await this.checkHeld();
        out.push(...r.out);
        if (r.over) return { out, over: true };
      }
    }
    if (!atEnd) return { out, over: false };
    const r = await this.checkHeld();
    out.push(...r.out);
    return { out, over: true };
  }
}
