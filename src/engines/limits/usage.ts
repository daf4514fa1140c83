// Token usage of an answer, in either protocol, for settling token reservations: from a whole body, or
// scanned from a stream as it passes (only the events that mention usage are parsed).
import { SseParser } from "../../core";

type Body = Record<string, any>;

/** Total tokens (input, cache reads and writes, output) of a usage object of either protocol, or undefined. */
export function usageTokens(u: Body | undefined): number | undefined {
  if (!u || typeof u !== "object") return undefined;
  if (typeof u.total_tokens === "number") return u.total_tokens;
  if (typeof u.prompt_tokens === "number" || typeof u.completion_tokens === "number") return (u.prompt_tokens ?? 0) + (u.completion_tokens ?? 0);
  const parts = [u.input_tokens, u.output_tokens, u.cache_read_input_tokens, u.cache_creation_input_tokens].filter((n) => typeof n === "number");
  return parts.length ? parts.reduce((a, b) => a + b, 0) : undefined;
}

/** Tokens reported in a whole JSON answer. */
export function usageFromBody(bytes: Uint8Array): number | undefined {
  try {
    const body = JSON.parse(new TextDecoder().decode(bytes));
    return usageTokens(body?.usage ?? body?.choices?.[0]?.usage);
  } catch {
    return undefined;
  }
}

/** Watches stream bytes and keeps the usage they report (Anthropic splits it over message_start and message_delta). */
export class UsageScanner {
  private readonly decoder = new TextDecoder();
  private readonly parser = new SseParser();
  private anthropic: Body = {};
  private openai: number | undefined;

  /** Feeds a chunk of the stream. */
  feed(bytes: Uint8Array): void {
    for (const e of this.parser.push(this.decoder.decode(bytes, { stream: true }))) {
      if (!e.data.includes("usage")) continue;
      let d: Body;
      try {
        d = JSON.parse(e.data);
      } catch {
        continue;
      }
      if (d.type === "message_start") Object.assign(this.anthropic, d.message?.usage);
      else if (d.type === "message_delta") Object.assign(this.anthropic, d.usage);
      else {
        const t = usageTokens(d.usage ?? d.choices?.[0]?.usage);
        if (t !== undefined) this.openai = t;
      }
    }
  }

  /** Tokens reported so far, or undefined when the stream reported none. */
  get tokens(): number | undefined {
    return this.openai ?? usageTokens(Object.keys(this.anthropic).length ? this.anthropic : undefined);
  }
}
