// All of a request's text is moderated, in windows of at most `windowChars`: pieces (messages) are grouped in
// order, a piece longer than a window is split with an overlap (so a phrase across a cut is still seen whole).
// Windows that were allowed before are remembered by their SHA-256, so a conversation that grows turn by turn
// sends only its new text to the service.

/** Characters a split piece repeats from the end of the window before it. */
const OVERLAP = 200;

/** Groups pieces into windows of at most `windowChars` characters, in order. */
export function inputWindows(pieces: readonly string[], windowChars: number): string[] {
  const windows: string[] = [];
  let current = "";
  const flush = () => {
    if (current.trim()) windows.push(current);
    current = "";
  };
  for (const piece of pieces) {
    if (piece.length > windowChars) {
      flush();
      const step = Math.max(1, windowChars - OVERLAP);
      for (let at = 0; at < piece.length; at += step) {
        windows.push(piece.slice(at, at + windowChars));
        if (at + windowChars >= piece.length) break;
      }
      continue;
    }
    if (current && current.length + 1 + piece.length > windowChars) flush();
    current = current ? `${current}\n${piece}` : piece;
  }
  flush();
  return windows;
}

/** Windows of text a moderation service allowed, remembered by SHA-256 (least recently used go first). */
export class AllowedTexts {
  private readonly seen = new Map<string, true>();

  constructor(private readonly max = 10_000) {}

  /** The key a text is remembered by. */
  static key(text: string): string {
    return new Bun.CryptoHasher("sha256").update(text).digest("base64");
  }

  /** True when this text was allowed before (and marks it recently used). */
  has(key: string): boolean {
    if (!this.seen.delete(key)) return false;
    this.seen.set(key, true);
    return true;
  }

  /** Remembers an allowed text. */
  add(key: string): void {
    this.seen.delete(key);
    this.seen.set(key, true);
    if (this.seen.size > this.max) this.seen.delete(this.seen.keys().next().value!);
  }
}
