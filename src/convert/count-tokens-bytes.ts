// The input-token estimate a token reservation uses, read from the request's bytes instead of its parsed tree
// (parsing a 200 KB conversation costs more than the rest of the request path). Every byte outside base64
// payloads counts, at 3.5 bytes a token: never below the parsed estimate (count-tokens.ts, which counts only
// what the model reads, at 4 characters a token), and closer to real counts for non-Latin text, whose
// characters take 3 to 6 bytes. A base64 payload where the APIs put images and files (`url`, `image_url`,
// `data`, `file_data`: a data URL or bare base64) counts as an image, or as a document's three, not as its
// bytes; the same bytes under any other key (a text) count in full, so text dressed as base64 is not cheaper.

import { isSpace, skipString } from "../core";
import { IMAGE_TOKENS } from "./count-tokens";

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const DOCUMENT_TOKENS = 3 * IMAGE_TOKENS;
const BYTES_PER_TOKEN = 3.5;
/** Strings shorter than this are never taken for a payload. */
const PAYLOAD_MIN = 1024;
const decoder = new TextDecoder();

/** Whether byte `b` belongs to the base64 alphabet. */
function isBase64(b: number): boolean {
  return (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) || b === 0x2b || b === 0x2f || b === 0x3d;
}

/** Index of the closing quote of the string whose opening quote is at `open`, or -1. */
const stringEnd = (buf: Uint8Array, open: number): number => {
  const past = skipString(buf, open);
  return past < 0 ? -1 : past - 1;
};

const PAYLOAD_KEYS = new Set(["url", "image_url", "data", "file_data"]);

/** The object key whose value is the string opening at `open` (`"key": "…"`), or undefined (an array item). */
function keyBefore(buf: Uint8Array, open: number): string | undefined {
  let i = open - 1;
  while (isSpace(buf[i])) i--;
  if (buf[i] !== 0x3a) return undefined; // ":"
  i--;
  while (isSpace(buf[i])) i--;
  if (buf[i] !== QUOTE) return undefined;
  const close = i;
  const from = Math.max(0, close - 12);
  const start = buf.subarray(from, close).lastIndexOf(QUOTE);
  return start < 0 ? undefined : decoder.decode(buf.subarray(from + start + 1, close));
}

/** The tokens a base64 payload in the string [start, end) stands for, or -1 when the string is not one. */
function payloadTokens(buf: Uint8Array, start: number, end: number): number {
  if (end - start < PAYLOAD_MIN) return -1;
  const key = keyBefore(buf, start - 1);
  if (key === undefined || !PAYLOAD_KEYS.has(key)) return -1;
  let at = start;
  if (buf[at] === 0x64 /* d */ && decoder.decode(buf.subarray(at, at + 5)) === "data:") {
    const comma = buf.subarray(at, Math.min(end, at + 128)).indexOf(0x2c);
    if (comma < 0 || decoder.decode(buf.subarray(at + comma - 7, at + comma)) !== ";base64") return -1;
    at += comma + 1;
  }
  for (let i = at; i < at + 256; i++) if (!isBase64(buf[i]!)) return -1;
  if (buf.subarray(at, end).indexOf(BACKSLASH) >= 0) return -1; // text has escapes (\n) and spaces; base64 has neither
  const pdf = buf[at] === 0x4a && buf[at + 1] === 0x56 && buf[at + 2] === 0x42 && buf[at + 3] === 0x45; // "JVBE": %PDF
  return pdf ? DOCUMENT_TOKENS : IMAGE_TOKENS;
}

/** Where the string holding a payload marker starts (just past its opening quote), or -1. */
function payloadStart(buf: Uint8Array, view: Buffer, marker: string, at: number): number {
  if (marker !== DATA_KEY) return view.lastIndexOf(QUOTE, at) + 1 || -1; // inside a data URL: no quote before the comma
  let i = at + DATA_KEY.length;
  while (isSpace(buf[i])) i++;
  if (buf[i++] !== 0x3a) return -1;
  while (isSpace(buf[i])) i++;
  return buf[i] === QUOTE ? i + 1 : -1;
}

const DATA_KEY = '"data"';
const MARKERS = [";base64,", DATA_KEY];

/** Estimated input tokens of a JSON request body, from its bytes (any API's shape); 0 for an empty body. */
export function estimateInputTokensFromBytes(buf: Uint8Array): number {
  let counted = buf.length;
  let extra = 0;
  const view = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const seen = new Set<number>();
  for (const marker of MARKERS) {
    for (let at = view.indexOf(marker); at >= 0; at = view.indexOf(marker, at + 1)) {
      const start = payloadStart(buf, view, marker, at);
      if (start <= 0 || seen.has(start)) continue;
      const end = stringEnd(buf, start - 1);
      if (end < 0) break;
      at = end; // the next marker is looked for past this string: a string full of markers is read once, not once per marker
      const tokens = payloadTokens(buf, start, end);
      if (tokens < 0) continue;
      seen.add(start);
      counted -= end - start;
      extra += tokens;
    }
  }
  return counted + extra > 0 ? Math.max(1, Math.ceil(counted / BYTES_PER_TOKEN) + extra) : 0;
}
