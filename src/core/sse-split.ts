// Splitting SSE text the gateway wrote itself into events, without a parser.
import { SseEvent } from "./sse";

/**
 * The events of text the gateway wrote itself (a converter's output): whole events, each one optional `event:`
 * line and one `data:` line, ended by a blank line (`\n\n`, or `\r\n\r\n` as Gemini's are written), or a `:`
 * comment, or a bare line break (Gemini's keep-alive). No parser is needed: the text is split at its blank lines,
 * each event keeps its text as `raw`, and its JSON is parsed only if a later stage reads it.
 */
export function splitSse(text: string): SseEvent[] {
  const out: SseEvent[] = [];
  let start = 0;
  let crlf = text.indexOf("\r\n\r\n"); // searched again only once passed: linear in the text
  while (start < text.length) {
    let blank = start;
    while (text.charCodeAt(blank) === 13 || text.charCodeAt(blank) === 10) blank++;
    if (blank > start) {
      const e = new SseEvent(undefined, ""); // bare line breaks between events (Gemini's keep-alive): passed on as they are
      e.raw = text.slice(start, blank);
      out.push(e);
      start = blank;
      continue;
    }
    if (crlf >= 0 && crlf < start) crlf = text.indexOf("\r\n\r\n", start);
    const lf = text.indexOf("\n\n", start);
    const windows = crlf >= 0 && (lf < 0 || crlf < lf);
    const dataEnd = windows ? crlf : lf < 0 ? text.length : lf;
    const end = windows ? crlf + 4 : lf < 0 ? text.length : lf + 2;
    let at = start;
    let event: string | undefined;
    if (text.startsWith("event: ", at)) {
      const nl = text.indexOf("\n", at);
      event = text.slice(at + 7, nl);
      at = nl + 1;
    }
    if (text.startsWith("data: ", at)) {
      const e = new SseEvent(event, text.slice(at + 6, dataEnd));
      e.raw = text.slice(start, end);
      out.push(e);
    } else if (text.charCodeAt(at) === 58 /* : */) {
      const e = new SseEvent(undefined, ""); // a comment (a keep-alive): passed on as it is
      e.raw = text.slice(start, end);
      out.push(e);
    }
    start = end;
  }
  return out;
}
