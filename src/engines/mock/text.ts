// Reading text out of either protocol's messages, for the mock's echo and its output-token count.

/** The text of a message's content: a string, or the text parts/blocks of an array. */
export function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  let out = "";
  for (const part of content) {
    if (part && typeof part === "object") {
      const p = part as Record<string, unknown>;
      if (typeof p.text === "string") out += p.text;
      else if (p.content !== undefined) out += contentText(p.content);
    }
  }
  return out;
}

/** The text of the last user message, or "" when there is none. */
export function lastUserText(messages: unknown): string {
  if (!Array.isArray(messages)) return "";
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as Record<string, unknown> | null;
    if (m?.role === "user") return contentText(m.content);
  }
  return "";
}

/** A rough token count: one token per four characters, at least one for non-empty text. */
export function estimateTokens(text: string): number {
  return text.length === 0 ? 0 : Math.max(1, Math.ceil(text.length / 4));
}

/** Splits text into about `n` pieces on word boundaries (each piece keeps its leading space). */
export function splitPieces(text: string, n: number): string[] {
  const words = text.match(/\s*\S+/g) ?? [text];
  const per = Math.max(1, Math.ceil(words.length / Math.max(1, n)));
  const out: string[] = [];
  for (let i = 0; i < words.length; i += per) out.push(words.slice(i, i + per).join(""));
  return out;
}
