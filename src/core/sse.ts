// Server-sent events: a parser that is correct across any chunk boundary (LF, CRLF or CR line ends,
// multi-line data, comments, BOM) and a writer of one event's wire text.

/**
 * One server-sent event: `data` is the joined data lines, parsed as JSON on demand; an event the gateway makes from
 * a value (`ofValue`) writes its JSON only when something reads `data` (the next stage that reads events takes the
 * value as it is).
 */
export class SseEvent {
  private parsed: unknown;
  private hasParsed = false;
  private fromValue = false;
  private text: string | undefined;
  /** The event's wire text as the gateway wrote it (kept while the event is unchanged, so it is not written again). */
  raw: string | undefined;

  constructor(
    /** The `event:` field, when present. */
    public event: string | undefined,
    /** The `data:` lines joined with "\n" (undefined: an event made from a value, see ofValue). */
    data: string | undefined,
    /** The `id:` field, when present. */
    public id?: string,
    /** The `retry:` field, when present. */
    public retry?: number,
  ) {
    this.text = data;
  }

  /** A comment (`: text`, a keep-alive): no data; passed on as its own text. */
  static comment(text: string): SseEvent {
    const e = new SseEvent(undefined, "");
    e.raw = `: ${text}\n\n`;
    return e;
  }

  /** An event whose data is `value` as JSON, written only if read. */
  static ofValue(value: unknown, event?: string): SseEvent {
    const e = new SseEvent(event, undefined);
    e.parsed = value;
    e.hasParsed = true;
    e.fromValue = true;
    return e;
  }

  /** True when `data` is (or will be) the JSON of a value the gateway set: one line, written without looking for line ends. */
  get isValue(): boolean {
    return this.fromValue;
  }

  /** The data lines joined with "\n" (an event made from a value writes its JSON now, once). */
  get data(): string {
    this.text ??= JSON.stringify(this.parsed);
    return this.text;
  }

  /** True for the `[DONE]` that ends a chat stream (an event made from a value never is: its JSON is not written to tell). */
  get isDone(): boolean {
    return this.text === "[DONE]";
  }

  /** `data` parsed as JSON (cached); throws on invalid JSON. */
  json<T = any>(): T {
    if (!this.hasParsed) {
      this.parsed = JSON.parse(this.data);
      this.hasParsed = true;
    }
    return this.parsed as T;
  }

  /** Replaces the JSON value; `data` is written anew when read. */
  setJson(value: unknown): void {
    this.parsed = value;
    this.hasParsed = true;
    this.text = undefined;
    this.fromValue = true;
    this.raw = undefined;
  }
}

/** Default bound of one event (or one line) the parser holds, in UTF-8 bytes: 16 MiB. */
export const MAX_SSE_EVENT_BYTES = 16 * 1024 * 1024;
/** The same bound (older name: it is counted in bytes, so text of many-byte characters cannot pass it). */
export const MAX_SSE_EVENT_CHARS = MAX_SSE_EVENT_BYTES;

/** Raised when one SSE line or event grows past the parser's bound (an upstream that never ends a line). */
export class SseEventTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`upstream stream event is larger than the limit of ${limit} bytes`);
    this.name = "SseEventTooLarge";
  }
}

/** Incremental SSE parser: feed it text, collect whole events. Linear in its input, bounded per event. */
export class SseParser {
  /** Parsers made so far in this process (a test counts the decoders a stream needs). */
  static made = 0;
  private buf = "";
  /** Pieces of a line still waiting for its end (kept apart, so a giant line is joined once, not rescanned per piece). */
  private pending: string[] = [];
  private pendingChars = 0;
  private pendingBytes = 0;
  private dataChars = 0;
  private dataBytes = 0;
  private event: string | undefined;
  private data: string[] = [];
  private id: string | undefined;
  private retry: number | undefined;
  private started = false;

  constructor(private readonly maxEventChars = MAX_SSE_EVENT_BYTES) {
    SseParser.made++;
  }

  /**
   * True when what is held for one event is past the bound in UTF-8 bytes. Characters are counted as they come;
   * bytes are summed exactly only once the characters could reach the bound (at most 3 bytes each).
   */
  private over(): boolean {
    const chars = this.buf.length + this.pendingChars + this.dataChars;
    if (chars > this.maxEventChars) return true;
    if (chars * 3 <= this.maxEventChars) return false;
    return Buffer.byteLength(this.buf) + this.pendingBytes + this.dataBytes > this.maxEventChars;
  }

  /** Feeds a piece of text; returns the events it completed; throws SseEventTooLarge past the bound. */
  push(text: string): SseEvent[] {
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (text.indexOf("\n") < 0 && text.indexOf("\r") < 0) {
      // no line ends here: hold the piece until one comes
      this.pending.push(text);
      this.pendingChars += text.length;
      this.pendingBytes += Buffer.byteLength(text);
      if (this.over()) throw new SseEventTooLarge(this.maxEventChars);
      return [];
    }
    this.buf += this.joinPending() + text;
    const out: SseEvent[] = [];
    const buf = this.buf;
    const hasCR = buf.indexOf("\r") >= 0;
    let start = 0;
    for (;;) {
      // fast paths for the common events, a lone `data: ` line (chat) or an `event: ` line and a `data: ` line
      // (Anthropic, Responses), then a blank line: no line-by-line state
      if (!hasCR && this.data.length === 0 && this.event === undefined && this.retry === undefined) {
        const next = this.whole(buf, start, out);
        if (next > start) {
          start = next;
          continue;
        }
      }
      let nl = buf.indexOf("\n", start);
      if (hasCR) {
        const cr = buf.indexOf("\r", start);
        if (cr >= 0 && (nl < 0 || cr < nl)) nl = cr;
      }
      if (nl < 0) break;
      // a CR at the very end may be the first half of a CRLF split across chunks: wait for more
      if (buf.charCodeAt(nl) === 13 && nl === buf.length - 1) break;
      this.line(buf.slice(start, nl), out);
      start = nl + (buf.charCodeAt(nl) === 13 && buf.charCodeAt(nl + 1) === 10 ? 2 : 1);
    }
    this.buf = start === 0 ? buf : buf.slice(start);
    if (this.over()) throw new SseEventTooLarge(this.maxEventChars);
    return out;
  }

  /** The end of a whole common event at `start` (pushed to `out`), or `start` when the text there is not one. */
  private whole(buf: string, start: number, out: SseEvent[]): number {
    let event: string | undefined;
    let at = start;
    if (buf.startsWith("event: ", at)) {
      const nl = buf.indexOf("\n", at + 7);
      if (nl < 0) return start;
      event = buf.slice(at + 7, nl);
      at = nl + 1;
    }
    if (!buf.startsWith("data: ", at)) return start;
    const nl = buf.indexOf("\n", at + 6);
    if (nl < 0 || buf.charCodeAt(nl + 1) !== 10) return start;
    out.push(new SseEvent(event, buf.slice(at + 6, nl), this.id, undefined));
    return nl + 2;
  }

  private joinPending(): string {
    if (this.pending.length === 0) return "";
    const text = this.pending.join("");
    this.pending = [];
    this.pendingChars = 0;
    this.pendingBytes = 0;
    return text;
  }

  /** Ends the input: a last event with data but no blank line after it is still delivered. */
  end(): SseEvent[] {
    const out: SseEvent[] = [];
    this.buf += this.joinPending();
    if (this.buf.length > 0) this.line(this.buf.replace(/\r$/, ""), out);
    this.buf = "";
    this.line("", out);
    return out;
  }

  private line(line: string, out: SseEvent[]): void {
    if (line.length === 0) {
      if (this.data.length > 0 || this.event !== undefined) {
        out.push(new SseEvent(this.event, this.data.join("\n"), this.id, this.retry));
      }
      this.event = undefined;
      this.data = [];
      this.dataChars = 0;
      this.dataBytes = 0;
      this.retry = undefined;
      return;
    }
    if (line.charCodeAt(0) === 58) return; // ":" comment
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === "data") {
      this.data.push(value);
      this.dataChars += value.length + 1;
      this.dataBytes += Buffer.byteLength(value) + 1;
      if (this.over()) throw new SseEventTooLarge(this.maxEventChars);
    } else if (field === "event") this.event = value;
    else if (field === "id") {
      if (!value.includes("\0")) this.id = value;
    } else if (field === "retry" && /^\d+$/.test(value)) this.retry = Number(value);
  }
}

/** Serializes one event to its wire text (multi-line data becomes several data lines); an unchanged event's own text. */
export function formatSse(ev: { event?: string; data: string; id?: string; retry?: number; raw?: string }): string {
  if (ev.raw !== undefined) return ev.raw;
  if (ev instanceof SseEvent && ev.isValue && ev.id === undefined && ev.retry === undefined) {
    const data = ev.data; // JSON.stringify writes one line
    return ev.event === undefined ? `data: ${data}\n\n` : `event: ${ev.event}\ndata: ${data}\n\n`;
  }
  let out = "";
  if (ev.event !== undefined) out += `event: ${ev.event}\n`;
  if (ev.id !== undefined) out += `id: ${ev.id}\n`;
  if (ev.retry !== undefined) out += `retry: ${ev.retry}\n`;
  out +=
    ev.data.indexOf("\n") < 0 && ev.data.indexOf("\r") < 0
      ? `data: ${ev.data}\n`
      : ev.data
          .split(/\r\n|\r|\n/)
          .map((l) => `data: ${l}\n`)
          .join("");
  return out + "\n";
}
