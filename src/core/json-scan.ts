// A top-level JSON scanner over raw bytes: finds one key of the root object without building the tree.
// Routing needs `model` (and sometimes `stream`), not a 200 KB conversation parsed into objects.

const QUOTE = 0x22,
  BACKSLASH = 0x5c,
  LBRACE = 0x7b,
  RBRACE = 0x7d,
  LBRACKET = 0x5b,
  RBRACKET = 0x5d;
const COLON = 0x3a,
  COMMA = 0x2c;
const decoder = new TextDecoder();

/** JSON whitespace (a byte past the end is not). */
export function isSpace(b: number | undefined): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

/** Index just past the closing quote of the string that starts at `open` (a quote), or -1. */
export function skipString(buf: Uint8Array, open: number): number {
  const n = buf.length;
  let i = open + 1;
  // short strings (keys, ids) byte by byte; long ones (text) by a native search for the next quote
  for (let k = 0; k < 16; k++) {
    if (i >= n) return -1;
    const c = buf[i++];
    if (c === QUOTE) return i;
    if (c === BACKSLASH) i++;
  }
  for (;;) {
    const q = buf.indexOf(QUOTE, i);
    if (q < 0) return -1;
    let bs = 0;
    for (let j = q - 1; buf[j] === BACKSLASH; j--) bs++;
    i = q + 1;
    if ((bs & 1) === 0) return i;
  }
}

/** Index just past the value that starts at `i`, or -1 when the bytes end first. */
function skipValue(buf: Uint8Array, i: number): number {
  const c = buf[i];
  if (c === QUOTE) return skipString(buf, i);
  if (c !== LBRACE && c !== LBRACKET) {
    while (i < buf.length && buf[i] !== COMMA && buf[i] !== RBRACE && buf[i] !== RBRACKET && !isSpace(buf[i]!)) i++;
    return i;
  }
  let depth = 0;
  const n = buf.length;
  while (i < n) {
    const b = buf[i]!;
    if (b === QUOTE) {
      i = skipString(buf, i);
      if (i < 0) return -1;
      continue;
    }
    i++;
    if (b === LBRACE || b === LBRACKET) depth++;
    else if ((b === RBRACE || b === RBRACKET) && --depth === 0) return i;
  }
  return -1;
}

function skipSpace(buf: Uint8Array, i: number): number {
  while (i < buf.length && isSpace(buf[i]!)) i++;
  return i;
}

/** True when the bytes are framed as one JSON object: `{` first and `}` last, ignoring whitespace. */
export function looksLikeJsonObject(buf: Uint8Array): boolean {
  let end = buf.length - 1;
  while (end >= 0 && isSpace(buf[end]!)) end--;
  return buf[skipSpace(buf, 0)] === LBRACE && buf[end] === RBRACE;
}

/** The text of the JSON string at [open, end) (quotes included): plain ASCII directly, anything else decoded. */
function keyName(buf: Uint8Array, open: number, end: number): string | null {
  if (end - open <= 66) {
    let plain = true;
    for (let j = open + 1; j < end - 1; j++) {
      const b = buf[j]!;
      if (b >= 0x80 || b === BACKSLASH) {
        plain = false;
        break;
      }
    }
    // a short ASCII key without escapes (nearly every key): no decoder, no JSON.parse
    if (plain) return String.fromCharCode.apply(null, buf.subarray(open + 1, end - 1) as unknown as number[]);
  }
  const raw = decoder.decode(buf.subarray(open, end));
  try {
    return raw.includes("\\") ? (JSON.parse(raw) as string) : raw.slice(1, -1);
  } catch {
    return null;
  }
}

/** The top-level keys of a JSON object and where each value lies in the bytes. */
export interface TopLevelIndex {
  /** Key → [start, end) of its raw value. */
  fields: Map<string, [number, number]>;
  /** The first key that the object holds twice (parsers disagree on which one counts), if any. */
  duplicate?: string;
}

/**
 * Indexes the root object's keys in one pass over the bytes, without building the tree; null when the bytes
 * are not a JSON object. Every key is seen, so a key written twice is found (JSON.parse would keep the last
 * silently, a first-match scan the first one).
 */
export function indexTopLevel(buf: Uint8Array): TopLevelIndex | null {
  const fields = new Map<string, [number, number]>();
  let duplicate: string | undefined;
  let i = skipSpace(buf, 0);
  if (buf[i] !== LBRACE) return null;
  i = skipSpace(buf, i + 1);
  if (buf[i] === RBRACE) return { fields };
  for (;;) {
    if (buf[i] !== QUOTE) return null;
    const keyEnd = skipString(buf, i);
    if (keyEnd < 0) return null;
    const name = keyName(buf, i, keyEnd);
    if (name === null) return null;
    i = skipSpace(buf, keyEnd);
    if (buf[i] !== COLON) return null;
    const start = skipSpace(buf, i + 1);
    const end = skipValue(buf, start);
    if (end < 0 || end === start) return null;
    if (fields.has(name)) duplicate ??= name;
    fields.set(name, [start, end]);
    i = skipSpace(buf, end);
    if (buf[i] === RBRACE) return duplicate === undefined ? { fields } : { fields, duplicate };
    if (buf[i] !== COMMA) return null;
    i = skipSpace(buf, i + 1);
  }
}

/**
 * The raw JSON text of a top-level key's value (e.g. `"gpt-4o"` with its quotes, or `true`), the last one
 * when the key repeats (as JSON.parse reads it), `undefined` when the root object has no such key, or
 * `null` when the bytes are not a JSON object.
 */
export function scanTopLevel(buf: Uint8Array, key: string): string | undefined | null {
  const index = indexTopLevel(buf);
  if (!index) return null;
  const at = index.fields.get(key);
  return at && decoder.decode(buf.subarray(at[0], at[1]));
}

/**
 * The bytes of every string value written right after `"key":` anywhere in the bytes (their text, escapes
 * included), found by a native search rather than a parse: what a stream's events carried for that key.
 */
export function stringValueBytes(buf: Uint8Array, key: string): number {
  const pattern = `"${key}":"`;
  let total = 0;
  for (let at = Buffer.prototype.indexOf.call(buf, pattern); at >= 0; at = Buffer.prototype.indexOf.call(buf, pattern, at + 1)) {
    const open = at + pattern.length - 1;
    const end = skipString(buf, open);
    if (end < 0) break; // cut where the kept bytes end
    total += end - open - 2;
  }
  return total;
}

/** Index of the quote that opens the JSON string whose closing quote is at `close`, or -1. */
function openingQuote(buf: Uint8Array, close: number): number {
  for (let q = close - 1; q >= 0; q--) {
    q = Buffer.prototype.lastIndexOf.call(buf, QUOTE, q) as number;
    if (q < 0) return -1;
    let bs = 0;
    for (let j = q - 1; j >= 0 && buf[j] === BACKSLASH; j--) bs++;
    if ((bs & 1) === 0) return q;
  }
  return -1;
}

/**
 * The raw JSON text of the last `"key":` among the keys `depth` levels deep (1: the root object's own keys) in the
 * JSON value that ends just before byte `end`, read backwards from there: a client-echoed field that follows it
 * (`metadata: {"usage": …}`) sits deeper and is never taken, and the value's start need not be in the bytes.
 */
export function lastKeyValueAt(buf: Uint8Array, key: string, depth: number, end = buf.length): string | undefined {
  let level = 0;
  for (let i = end - 1; i >= 0; i--) {
    const b = buf[i]!;
    if (b === RBRACE || b === RBRACKET) level++;
    else if (b === LBRACE || b === LBRACKET) {
      if (--level <= 0) return undefined; // left the value
    } else if (b === QUOTE) {
      const open = openingQuote(buf, i);
      if (open < 0) return undefined;
      if (level === depth) {
        const colon = skipSpace(buf, i + 1);
        if (buf[colon] === COLON && keyName(buf, open, i + 1) === key) {
          const start = skipSpace(buf, colon + 1);
          const stop = skipValue(buf, start);
          return stop > start && stop <= end ? decoder.decode(buf.subarray(start, stop)) : undefined;
        }
      }
      i = open;
    }
  }
  return undefined;
}
