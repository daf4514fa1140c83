// The seed's request features for rules, computed only when an expression asks for them.

/** FNV-1a 32-bit hash as 8 lowercase hex digits. */
export function fnv1a32(text: string): string {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

function text(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  let out = "";
  for (const part of content) if (part && typeof (part as { text?: unknown }).text === "string") out += (part as { text: string }).text;
  return out;
}

/** Features of a request body: prompt length in code points and the prefix/suffix hashes of the first message. */
export class RequestFeatures {
  private len?: number;
  private first?: string;

  constructor(
    private readonly body: Record<string, unknown>,
    private readonly model: string,
  ) {}

  private messages(): unknown[] {
    return Array.isArray(this.body.messages) ? this.body.messages : [];
  }

  /** Characters (code points) of all message text, the Anthropic system prompt included. */
  get promptTextLen(): number {
    if (this.len === undefined) {
      let n = [...text(this.body.system)].length;
      for (const m of this.messages()) n += [...text((m as { content?: unknown })?.content)].length;
      this.len = n;
    }
    return this.len;
  }

  private firstText(): string {
    this.first ??= text((this.messages()[0] as { content?: unknown } | undefined)?.content).trim();
    return this.first;
  }

  /** FNV-1a of the model name followed by the first 20 characters of the first message's trimmed text. */
  get prefix20(): string {
    return fnv1a32(this.model + [...this.firstText()].slice(0, 20).join(""));
  }

  /** FNV-1a of the model name followed by the last 20 characters of the first message's trimmed text. */
  get suffix20(): string {
    return fnv1a32(this.model + [...this.firstText()].slice(-20).join(""));
  }
}
