// A chat stream whose cost must be known (budgets, token limits) asks its upstream for its usage even when the
// client did not (`stream_options.include_usage`, which the OpenAI SDK leaves off), and the usage chunk the client
// did not ask for is taken out again: the client's bytes stay what it would have got, the gateway learns the usage.
import { LazyBody, type Engine, type LLMRequest, type LLMResponse, type TextStage, type TokenUsage } from "../../core";
import { findUsage, tokenUsage } from "../../protocols";

/** The request asking for its stream's usage, or undefined when it is not a chat stream or already asks. */
export function askingStreamUsage(req: LLMRequest): LLMRequest | undefined {
  if (req.format !== "openai.chat") return undefined;
  if (req.body.field("stream") !== true) return undefined; // read field by field: a large body is not parsed here
  const options = req.body.field("stream_options") as Record<string, unknown> | null | undefined;
  if (options && typeof options === "object" && options.include_usage === true) return undefined;
  const next = { ...(options && typeof options === "object" && !Array.isArray(options) ? options : {}), include_usage: true };
  return { ...req, body: req.body.withField("stream_options", next) };
}

/** An event block bigger than this is passed on as it is (a usage chunk is small). */
const MAX_HELD = 1 << 20;

/** A stage that removes the usage-only chunk (`"choices":[]` with `usage`) from a chat stream, and knows its usage. */
export class UsageChunkFilter implements TextStage {
  readonly name = "take out the usage chunk";
  private held = "";
  usage: TokenUsage | undefined;
  readonly done = false;

  push(text: string): string {
    const held = this.held + text;
    let start = 0;
    let out = "";
    const crlf = held.indexOf("\r") >= 0;
    for (let end = blockEnd(held, start, crlf); end >= 0; end = blockEnd(held, start, crlf)) {
      const block = held.slice(start, end);
      if (this.keep(block)) out += block;
      start = end;
    }
    this.held = start ? held.slice(start) : held;
    if (this.held.length > MAX_HELD) {
      out += this.held;
      this.held = "";
    }
    return out;
  }

  end(): string {
    const rest = this.held;
    this.held = "";
    return this.keep(rest) ? rest : "";
  }

  fail(): { out: string; answered: boolean } {
    return { out: this.end(), answered: false };
  }

  /** False for the usage-only chunk (its usage is kept). */
  private keep(block: string): boolean {
    if (block.indexOf(`"usage"`) < 0 || !/"choices"\s*:\s*\[\s*\]/.test(block)) return true;
    const data = /^data:\s?(.*)$/m.exec(block)?.[1];
    try {
      const usage = tokenUsage(findUsage(JSON.parse(data ?? "")));
      if (!usage) return true;
      this.usage = usage;
      return false;
    } catch {
      return true;
    }
  }
}

/** The index just past the blank line that ends the first event block of `text` from `from`, or -1. */
function blockEnd(text: string, from: number, crlf: boolean): number {
  const lf = text.indexOf("\n\n", from);
  const crlfAt = crlf ? text.indexOf("\r\n\r\n", from) : -1;
  if (lf < 0 && crlfAt < 0) return -1;
  return lf >= 0 && (crlfAt < 0 || lf < crlfAt) ? lf + 2 : crlfAt + 4;
}

/**
 * In front of a chat backend that refuses `stream_options` (profile `stream_usage: false`): the include_usage the
 * model added is taken out again (a client's own is left as it sent it); such a stream is charged by estimate.
 */
export class AddedStreamUsageRemoved implements Engine {
  constructor(private readonly next: Engine) {}

  process(req: LLMRequest): Promise<LLMResponse> {
    if (!req.ctx.streamUsageAdded || req.format !== "openai.chat") return this.next.process(req);
    const { stream_options: options, ...rest } = req.body.json<Record<string, any>>();
    const { include_usage: _, ...others } = options && typeof options === "object" ? options : {};
    const body = Object.keys(others).length ? { ...rest, stream_options: others } : rest;
    return this.next.process({ ...req, body: LazyBody.fromValue(body) });
  }
}
