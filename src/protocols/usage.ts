// Token usage of an answer in either protocol, found cheaply: a whole body by reading its root object's own
// `usage` key backwards from its end (never a nested or client-echoed one, such as `metadata.usage`); a stream by keeping only its first and last bytes as they pass (usage travels in
// Anthropic's message_start and message_delta, and in OpenAI's last chunks) and reading them at the end.
import { StreamPipeline, concatBytes, lastKeyValueAt, stringValueBytes, type TokenUsage } from "../core";
import { answerFacts, type AnswerFacts } from "./answer-facts";

export type { TokenUsage } from "../core";

type Body = Record<string, any>;
/** A token count an upstream reported: a non-negative finite number (anything else is no count at all). */
const num = (v: unknown) => (typeof v === "number" && v >= 0 && v < 2 ** 40 ? Math.floor(v) : undefined);

/** The usage object an OpenAI body or chunk carries, wherever the vendor put it. */
export function findUsage(obj: Body | undefined): Body | undefined {
  return obj?.usage ?? obj?.choices?.[0]?.usage ?? obj?.x_groq?.usage ?? obj?.response?.usage ?? obj?.usageMetadata ?? undefined; // Responses' terminal event, Gemini's events
}

/** The prompt-cache counts of a chat usage object, wherever the vendor put them (OpenAI, DeepSeek, Kimi, OpenRouter). */
export function chatCacheCounts(u: Body): { read?: number; write?: number } {
  return {
    read: num(u.prompt_tokens_details?.cached_tokens) ?? num(u.prompt_cache_hit_tokens) ?? num(u.cached_tokens),
    write: num(u.prompt_tokens_details?.cache_write_tokens) ?? num(u.cache_creation_input_tokens),
  };
}

/** The tokens of a usage object of either protocol (undefined when it has none). */
export function tokenUsage(u: Body | null | undefined): TokenUsage | undefined {
  if (!u || typeof u !== "object") return undefined;
  const prompt = num(u.prompt_tokens),
    completion = num(u.completion_tokens);
  if (prompt !== undefined || completion !== undefined) {
    const cache = chatCacheCounts(u);
    return withCache({ input: prompt ?? 0, output: completion ?? 0 }, cache.read, cache.write);
  }
  const gemini = geminiUsage(u);
  if (gemini) return gemini;
  const parts = [num(u.input_tokens), num(u.cache_read_input_tokens), num(u.cache_creation_input_tokens)];
  const output = num(u.output_tokens);
  if (parts.every((p) => p === undefined) && output === undefined) return undefined;
  const input = parts.reduce<number>((s, p) => s + (p ?? 0), 0);
  if (u.input_tokens_details)
    return withCache({ input, output: output ?? 0 }, num(u.input_tokens_details.cached_tokens), num(u.input_tokens_details.cache_write_tokens)); // Responses: input counts the cache
  return withCache({ input, output: output ?? 0 }, parts[1], parts[2]);
}

/** Gemini's usageMetadata: the prompt counts its cache reads and tool-use prompt; thoughts are output too. */
function geminiUsage(u: Body): TokenUsage | undefined {
  const prompt = num(u.promptTokenCount),
    candidates = num(u.candidatesTokenCount);
  if (prompt === undefined && candidates === undefined) return undefined;
  const input = (prompt ?? 0) + (num(u.toolUsePromptTokenCount) ?? 0);
  return withCache({ input, output: (candidates ?? 0) + (num(u.thoughtsTokenCount) ?? 0) }, num(u.cachedContentTokenCount), undefined);
}

/** Usage with its cache counts, when there are any (never more than the input). */
function withCache(u: TokenUsage, read: number | undefined, write: number | undefined): TokenUsage {
  if (read) u.cacheRead = Math.min(read, u.input);
  if (write) u.cacheWrite = Math.min(write, u.input - (u.cacheRead ?? 0));
  return u;
}

let lastRead: { bytes: Uint8Array; usage: TokenUsage | undefined } | undefined;

/**
 * The usage of a whole JSON answer: its root object's `usage` (Gemini's `usageMetadata`), found from its end without parsing the rest of it
 * (a vendor's `choices[0].usage` when the root has none). The last answer's is remembered: the budget settlement
 * and the access log both ask for the same bytes.
 */
export function bodyUsage(bytes: Uint8Array): TokenUsage | undefined {
  if (lastRead?.bytes === bytes) return lastRead.usage;
  const raw = lastKeyValueAt(bytes, "usage", 1) ?? lastKeyValueAt(bytes, "usageMetadata", 1); // Gemini's answers name it so
  const usage = raw ? parsedUsage(raw) : vendorUsage(bytes);
  lastRead = { bytes, usage };
  return usage;
}

/** The usage a vendor put in its first choice, for a body whose root has none (rare: the whole body is parsed). */
function vendorUsage(bytes: Uint8Array): TokenUsage | undefined {
  if (find(bytes, `"usage"`) < 0) return undefined;
  try {
    const body = JSON.parse(decoder.decode(bytes));
    return tokenUsage(body?.choices?.[0]?.usage);
  } catch {
    return undefined;
  }
}

function parsedUsage(raw: string): TokenUsage | undefined {
  try {
    return tokenUsage(JSON.parse(raw));
  } catch {
    return undefined;
  }
}

const HEAD_BYTES = 4096;
const TAIL_BYTES = 16384;

/** Watches a stream's bytes pass and tells its usage at the end; per chunk it only keeps a reference. */
export class StreamUsage {
  private readonly head: Uint8Array[] = [];
  private headBytes = 0;
  private tail: Uint8Array[] = [];
  private tailBytes = 0;
  private fed = 0;
  private dropped = false; // bytes between head and tail were let go

  /** `inputEstimate`: the request's estimated input tokens, for a stream cut short before it told its usage. */
  constructor(private readonly inputEstimate?: () => number) {}

  /** Sees one chunk. */
  feed(chunk: Uint8Array): void {
    this.fed += chunk.byteLength;
    if (this.headBytes < HEAD_BYTES) {
      this.head.push(chunk);
      this.headBytes += chunk.byteLength;
      return;
    }
    this.tail.push(chunk);
    this.tailBytes += chunk.byteLength;
    if (this.tailBytes - this.tail[0]!.byteLength >= TAIL_BYTES) {
      this.tailBytes -= this.tail.shift()!.byteLength;
      this.dropped = true;
    }
  }

  /** True once the answer's end went by (its usage may still follow): read from the last bytes kept, when asked. */
  get answerEnded(): boolean {
    return this.fed > 0 && this.keptHas(ANSWER_END);
  }

  /** True when the bytes kept (the stream's first and last) carried reasoning: it may have reasoned out of sight as well. */
  get reasoningSeen(): boolean {
    return this.fed > 0 && this.keptHas(REASONING);
  }

  /** True when the first or the last bytes kept hold one of the patterns (searched only when asked: at a stream's end). */
  private keptHas(patterns: string[]): boolean {
    const parts = [joined(this.head), ...(this.tail.length ? [joined(this.tail)] : [])];
    return patterns.some((p) => parts.some((b) => find(b, p) >= 0));
  }

  /** The answer's id and finish reasons, from the first and last bytes kept (asked only for sampled traces). */
  get facts(): AnswerFacts {
    return answerFacts(joined(this.head), this.tail.length ? joined(this.tail) : joined(this.head));
  }

  /** The id of a Responses answer, from its first event (`response.created`), when this stream is one. */
  get responseId(): string | undefined {
    if (!this.head.length || find(this.head[0]!, "response.") < 0) return undefined; // not a Responses stream: nothing joined
    const head = joined(this.head);
    const at = find(head, `"response.created"`);
    if (at < 0) return undefined;
    const text = decoder.decode(head.subarray(at, at + 512));
    return /"response"\s*:\s*\{\s*"id"\s*:\s*"([A-Za-z0-9_-]{1,128})"/.exec(text)?.[1];
  }

  /** The usage the stream reported (Anthropic's start and end merged; OpenAI's last), or undefined. */
  get usage(): TokenUsage | undefined {
    const whole = this.dropped ? undefined : joined(this.tail.length ? [...this.head, ...this.tail] : this.head);
    const head = () => whole ?? joined(this.head);
    const last = whole ? lastUsage(whole) : (lastUsage(joined(this.tail)) ?? lastUsage(head()));
    if (last?.type === "message_delta" || last?.type === "message_start") {
      const h = head();
      const at = find(h, `"message_start"`);
      const start = at >= 0 ? dataAt(h, at) : undefined;
      return tokenUsage({ ...(start?.type === "message_start" ? start.message?.usage : {}), ...(last.type === "message_delta" ? last.usage : {}) });
    }
    if (last) return tokenUsage(findUsage(last));
    return longEventUsage(whole ?? joined(this.tail)); // an event longer than the tail kept (a Responses terminal event holds the whole output)
  }

  /**
   * The usage of a stream cut short (the client hung up, the upstream failed): what it reported so far, with
   * the output generated up to then estimated from the text its events carried (about 4 characters a token,
   * scaled from the bytes kept to all the bytes seen), and the request's estimated input when none was reported.
   */
  cutShort(found: TokenUsage | undefined): TokenUsage | undefined {
    if (!this.fed) return found; // nothing came back: nothing to estimate
    const output = Math.max(found?.output ?? 0, this.outputSoFar());
    const input = found?.input || this.inputEstimate?.() || 0;
    return output || input ? { ...found, input, output } : found;
  }

  private outputSoFar(): number {
    const parts = this.dropped ? [joined(this.head), joined(this.tail)] : [joined([...this.head, ...this.tail])];
    let chars = 0;
    let bytes = 0;
    for (const buf of parts) {
      bytes += buf.byteLength;
      chars += deltaBytes(buf);
    }
    return bytes ? Math.ceil((chars * (this.fed / bytes)) / 4) : 0;
  }
}

// signs of reasoning in any protocol's stream: chat reasoning deltas, Anthropic thinking blocks, Responses reasoning items
const REASONING = [
  `"reasoning_content":"`,
  `"reasoning":"`,
  `"type":"reasoning`,
  `"type":"thinking`,
  `"type":"redacted_thinking"`,
  `"type":"response.reasoning`,
];
// the answer's end: a chat finish reason, Anthropic's stop reason, a Responses item done (the terminal event with usage follows), Gemini's finish
const ANSWER_END = [`"finish_reason":"`, `"stop_reason":"`, `"type":"response.output_item.done"`, `"finishReason":"`];

// the keys whose string values are generated text: Responses events carry it in `delta` (their .done events and
// the terminal one repeat it under other keys); chat and Anthropic chunks carry it only in their deltas
const RESPONSES_TEXT = ["delta"];
const DELTA_TEXT = ["content", "reasoning_content", "reasoning", "refusal", "arguments", "text", "thinking", "partial_json"];

/** The bytes of generated text a piece of a stream carries, in any of the three protocols (found, not parsed). */
function deltaBytes(buf: Uint8Array): number {
  const keys = find(buf, `"type":"response.`) >= 0 ? RESPONSES_TEXT : DELTA_TEXT;
  let n = 0;
  for (const k of keys) n += stringValueBytes(buf, k);
  return n;
}

const joined = (chunks: Uint8Array[]) => (chunks.length === 1 ? chunks[0]! : concatBytes(chunks));
// Buffer's native searches work on any Uint8Array; calling them directly avoids materializing a Buffer view
const { indexOf, lastIndexOf } = Buffer.prototype;
const find = (buf: Uint8Array, what: string | number, from?: number): number => indexOf.call(buf, what, from);
const findLast = (buf: Uint8Array, what: string | number, from?: number): number =>
  from === undefined ? lastIndexOf.call(buf, what) : lastIndexOf.call(buf, what, from);
const decoder = new TextDecoder();

/** The data of the `data:` line around byte `at` (one JSON line), or undefined. */
function dataAt(buf: Uint8Array, at: number): Body | undefined {
  const start = findLast(buf, 10, at) + 1;
  let end = find(buf, 10, at);
  if (end < 0) end = buf.length;
  const line = decoder.decode(buf.subarray(start, end)).replace(/\r$/, "");
  if (!line.startsWith("data:")) return undefined;
  try {
    return JSON.parse(line.slice(line[5] === " " ? 6 : 5));
  } catch {
    return undefined;
  }
}

/**
 * The usage of the last of the final lines whose event carries one, read backwards from the line's end (its start
 * may be gone): the event's own `usage` or its `response.usage` (depth 2), never one nested deeper, such as the
 * client's `metadata` that a Responses terminal event echoes after its usage.
 */
function longEventUsage(buf: Uint8Array): TokenUsage | undefined {
  let end = buf.length;
  for (let tries = 0; tries < 8 && end > 0; tries++) {
    const nl = end > 0 ? findLast(buf, 10, end - 1) : -1;
    let stop = end;
    while (stop > nl + 1 && (buf[stop - 1] === 13 || buf[stop - 1] === 32)) stop--;
    if (buf[stop - 1] === 0x7d) {
      const raw = lastKeyValueAt(buf, "usage", 1, stop) ?? lastKeyValueAt(buf, "usage", 2, stop);
      const usage = raw ? parsedUsage(raw) : undefined;
      if (usage) return usage;
    }
    end = nl;
  }
  return undefined;
}

/** The last event whose data carries a usage object (not null). */
function lastUsage(buf: Uint8Array): Body | undefined {
  for (const key of [`"usage"`, `"usageMetadata"`]) {
    for (let at = findLast(buf, key), tries = 0; at >= 0 && tries < 8; at = at > 0 ? findLast(buf, key, at - 1) : -1, tries++) {
      const d = dataAt(buf, at);
      if (d && tokenUsage(d.type === "message_start" ? d.message?.usage : findUsage(d))) return d;
    }
  }
  return undefined;
}

/** A stream answer of `source` (SSE bytes of either protocol) whose usage is found as its output passes. */
export function meteredStream(source: ReadableStream<Uint8Array>, inputEstimate?: () => number): StreamPipeline {
  return StreamPipeline.of(source, new StreamUsage(inputEstimate));
}
