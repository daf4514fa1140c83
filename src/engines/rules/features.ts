// Request facts for rules, each computed only when an expression asks for it: the seed's prompt length and
// prefix/suffix hashes, and what Claude Code routing needs (input size, images, tools, thinking, web search).
import { estimateInputTokens } from "../../convert";

/** The facts an expression may read as Features.<name>. */
export const FEATURE_NAMES = ["promptTextLen", "prefix20", "suffix20", "inputTokens", "hasImages", "hasTools", "thinking", "webSearch", "agent"] as const;

type Body = Record<string, unknown>;
const IMAGE_PARTS = new Set(["image", "image_url", "input_image"]);

/** True when a message content (either protocol) holds an image, also inside Anthropic tool results. */
function contentHasImage(content: unknown): boolean {
  if (!Array.isArray(content)) return false;
  for (const part of content as Body[]) {
    if (!part || typeof part !== "object") continue;
    if (typeof part.type === "string" && IMAGE_PARTS.has(part.type)) return true;
    if (part.type === "tool_result" && contentHasImage(part.content)) return true;
  }
  return false;
}

/** A tool entry that asks for web search: Anthropic's server tool (web_search_2025…) or OpenAI's web_search tools. */
function isWebSearchTool(tool: unknown): boolean {
  const type = (tool as Body | null)?.type;
  return typeof type === "string" && type.startsWith("web_search");
}

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

/** Codex's x-openai-subagent labels for work the user did not ask for (the rest are agents it spawned, or reviews). */
const CODEX_BACKGROUND = new Set(["compact", "memory_consolidation"]);

/** Features of a request body: prompt length in code points and the prefix/suffix hashes of the first message. */
export class RequestFeatures {
  private len?: number;
  private first?: string;
  private tokens?: number;

  private parsed?: Record<string, unknown>;

  /** `body`: the request body, or a function that parses it when a fact first needs it (`agent` reads headers only). */
  constructor(
    private readonly bodyOf: Record<string, unknown> | (() => Record<string, unknown>),
    private readonly model: string,
    private readonly headers?: Headers,
    /** Whether a top-level field is a non-empty array, without parsing the body (given by a rule for a request's body). */
    private readonly holdsItems?: (key: string) => boolean,
  ) {}

  private get body(): Record<string, unknown> {
    return (this.parsed ??= typeof this.bodyOf === "function" ? this.bodyOf() : this.bodyOf);
  }

  /**
   * Which agent sent the request. `subagent`: Claude Code's subagents (x-claude-code-agent-id on every request of one),
   * Codex's spawned agents and reviews (x-openai-subagent, or x-codex-parent-thread-id). `background`: Codex's
   * compaction and memory work (x-openai-subagent compact or memory_consolidation, x-openai-memgen-request, a
   * compaction request_kind in x-codex-turn-metadata), and Claude Code's side calls (a request of a Claude Code
   * session with no tools: its session title, seen from 2.1.197). Else `main`. Only that last check reads the body, and only whether its `tools` is a non-empty list.
   */
  get agent(): string {
    const h = this.headers;
    if (!h) return "main";
    if (h.get("x-claude-code-agent-id")) return "subagent";
    const codex = h.get("x-openai-subagent");
    if (codex && codex !== "false" && codex !== "0") return CODEX_BACKGROUND.has(codex) ? "background" : "subagent";
    if (h.get("x-openai-memgen-request") === "true") return "background";
    if (h.get("x-codex-parent-thread-id")) return "subagent";
    const meta = h.get("x-codex-turn-metadata");
    if (meta && meta.length <= 65_536) {
      try {
        if ((JSON.parse(meta) as { request_kind?: unknown })?.request_kind === "compaction") return "background";
      } catch {
        // not JSON: no say
      }
    }
    if (h.get("x-claude-code-session-id") && !this.hasTools) return "background";
    return "main";
  }

  /** The conversation: chat and Anthropic messages, or a Responses request's input items. */
  private messages(): unknown[] {
    if (Array.isArray(this.body.messages)) return this.body.messages;
    const input = this.body.input;
    return typeof input === "string" ? [{ content: input }] : Array.isArray(input) ? input : [];
  }

  /** The system prompt: Anthropic's system, or a Responses request's instructions. */
  private system(): unknown {
    return this.body.system ?? this.body.instructions;
  }

  /** Characters (code points) of all message text, the system prompt (or instructions) included. */
  get promptTextLen(): number {
    if (this.len === undefined) {
      let n = [...text(this.system())].length;
      for (const m of this.messages()) n += [...text((m as { content?: unknown })?.content)].length;
      this.len = n;
    }
    return this.len;
  }

  private firstText(): string {
    this.first ??= text((this.messages()[0] as { content?: unknown } | undefined)?.content).trim();
    return this.first;
  }

  /** Estimated input tokens: the same estimate count_tokens answers with. */
  get inputTokens(): number {
    this.tokens ??= estimateInputTokens(
      Array.isArray(this.body.messages) ? this.body : { system: this.system(), messages: this.messages(), tools: this.body.tools },
    );
    return this.tokens;
  }

  /** True when a message (or a tool result in one) carries an image. */
  get hasImages(): boolean {
    return this.messages().some((m) => contentHasImage((m as Body | null)?.content) || contentHasImage((m as Body | null)?.output));
  }

  /** True when the request declares tools. */
  get hasTools(): boolean {
    if (this.holdsItems) return this.holdsItems("tools");
    return Array.isArray(this.body.tools) && this.body.tools.length > 0;
  }

  /** True when thinking (Anthropic) or reasoning (OpenAI and compatible) is asked for. */
  get thinking(): boolean {
    const b = this.body as Record<string, any>;
    const type = b.thinking?.type;
    if (type === "enabled" || type === "adaptive") return true;
    const effort = b.reasoning_effort ?? b.reasoning?.effort;
    return typeof effort === "string" && effort !== "none";
  }

  /** True when a web-search tool is declared (Anthropic's server tool, OpenAI's tool or web_search_options). */
  get webSearch(): boolean {
    return (Array.isArray(this.body.tools) && this.body.tools.some(isWebSearchTool)) || this.body.web_search_options !== undefined;
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
