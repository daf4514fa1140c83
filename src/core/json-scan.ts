// A top-level JSON scanner over raw bytes: finds one key of the root object without building the tree.
// Routing needs `model` (and sometimes `stream`), not a 200 KB conversation parsed into objects.

const QUOTE = 0x22, BACKSLASH = 0x5c, LBRACE = 0x7b, RBRACE = 0x7d, LBRACKET = 0x5b, RBRACKET = 0x5d;
const COLON = 0x3a, COMMA = 0x2c;
const decoder = new TextDecoder();

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

/** Index just past the closing quote of the string that starts at `open` (a quote), or -1. */
function skipString(buf: Uint8Array, open: number): number {
  let i = open + 1;
  for (;;) {
    const q = buf.indexOf(QUOTE, i);
    if (q < 0) return -1;
    let bs = 0;
    for (let j = q - 1; j > open && buf[j] === BACKSLASH; j--) bs++;
    if (bs % 2 === 0) return q + 1;
    i = q + 1;
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
  for (; i < buf.length; i++) {
    const b = buf[i];
    if (b === QUOTE) {
      i = skipString(buf, i) - 1;
      if (i < 0) return -1;
    } else if (b === LBRACE || b === LBRACKET) depth++;
    else if (b === RBRACE || b === RBRACKET) {
      if (--depth === 0) return i + 1;
    }
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

/**
 * The raw JSON text of a top-level key's value (e.g. `"gpt-4o"` with its quotes, or `true`),
 * `undefined` when the root object has no such key, or `null` when the bytes are not a JSON object.
 */
export function scanTopLevel(buf: Uint8Array, key: string): string | undefined | null {
  let i = skipSpace(buf, 0);
  if (buf[i] !== LBRACE) return null;
  i = skipSpace(buf, i + 1);
  if (buf[i] === RBRACE) return undefined;
  for (;;) {
    if (buf[i] !== QUOTE) return null;
    const keyEnd = skipString(buf, i);
    if (keyEnd < 0) return null;
    const rawName = decoder.decode(buf.subarray(i, keyEnd));
    const name = rawName.includes("\\") ? (JSON.parse(rawName) as string) : rawName.slice(1, -1);
    i = skipSpace(buf, keyEnd);
    if (buf[i] !== COLON) return null;
    const start = skipSpace(buf, i + 1);
    const end = skipValue(buf, start);
    if (end < 0 || end === start) return null;
    if (name === key) return decoder.decode(buf.subarray(start, end));
    i = skipSpace(buf, end);
    if (buf[i] === RBRACE) return undefined;
    if (buf[i] !== COMMA) return null;
    i = skipSpace(buf, i + 1);
  }
}

/**
 * The raw JSON text of the value of the last `"key":` in the bytes, at any depth (a quote inside a JSON
 * string is escaped, so the pattern only matches real keys); undefined when there is none. For keys that
 * sit at the end of a document, like an answer's `usage`, this is much cheaper than a scan from the start.
 */
export function lastKeyValue(buf: Uint8Array, key: string): string | undefined {
  const at: number = Buffer.prototype.lastIndexOf.call(buf, `"${key}":`); // native search, no Buffer view to make
  if (at < 0) return undefined;
  const start = skipSpace(buf, at + key.length + 3);
  const end = skipValue(buf, start);
  return end > start ? decoder.decode(buf.subarray(start, end)) : undefined;
}
