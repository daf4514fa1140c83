// An Anthropic Messages upstream with a prompt cache that behaves as Anthropic documents it: a request's prefix
// (tools, then system, then messages, block by block) is cached at each cache_control breakpoint once it reaches
// the minimum cacheable length; a later request reads the longest cached prefix that it repeats byte for byte (a
// hit may start at most 20 blocks before a breakpoint), writes up to its last breakpoint, and pays the rest as
// input. Tokens are counted as characters / 4. The model is scripted: it calls the client's shell tool (Codex's
// exec_command, Claude Code's Bash)
// `toolTurns` times, then answers.
import { createHash } from "node:crypto";

/** One request's usage, as the upstream reported it. */
export interface CacheTurn {
  input_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
  breakpoints: number;
}

const tokensOf = (block: unknown) => Math.max(1, Math.ceil(JSON.stringify(block).length / 4));

/** The request's cacheable blocks in Anthropic's order, each without its cache_control, and where the breakpoints are. */
function blocksOf(body: Record<string, any>): { blocks: unknown[]; marks: number[] } {
  const blocks: unknown[] = [];
  const marks: number[] = [];
  const add = (block: Record<string, any>) => {
    const { cache_control, ...rest } = block;
    blocks.push(rest);
    if (cache_control) marks.push(blocks.length - 1);
  };
  for (const tool of body.tools ?? []) add(tool);
  const system = typeof body.system === "string" ? [{ type: "text", text: body.system }] : (body.system ?? []);
  for (const block of system) add(block);
  for (const message of body.messages ?? []) {
    const content = typeof message.content === "string" ? [{ type: "text", text: message.content }] : message.content;
    for (const block of content) add({ role: message.role, ...block });
  }
  return { blocks, marks };
}

/** The prompt cache: prefix hashes that were written. */
export class PromptCache {
  private readonly entries = new Set<string>();
  readonly turns: CacheTurn[] = [];

  constructor(private readonly minTokens = 1024) {}

  /** Works out one request's usage and remembers what it wrote. */
  use(body: Record<string, any>): CacheTurn {
    const { blocks, marks } = blocksOf(body);
    const hashes: string[] = [];
    const cumulative: number[] = [];
    const h = createHash("sha256");
    let total = 0;
    for (const block of blocks) {
      h.update(JSON.stringify(block));
      hashes.push(h.copy().digest("hex"));
      cumulative.push((total += tokensOf(block)));
    }
    let hit = -1;
    for (const mark of marks)
      for (let i = mark; i >= Math.max(0, mark - 20); i--)
        if (this.entries.has(hashes[i]!)) {
          hit = Math.max(hit, i);
          break;
        }
    const last = marks.length ? Math.max(...marks) : -1;
    const read = hit >= 0 ? cumulative[hit]! : 0;
    const written = last > hit && cumulative[last]! >= this.minTokens ? cumulative[last]! - read : 0;
    for (const mark of marks) if (cumulative[mark]! >= this.minTokens) this.entries.add(hashes[mark]!);
    const turn = { input_tokens: total - read - written, cache_read_input_tokens: read, cache_creation_input_tokens: written, breakpoints: marks.length };
    this.turns.push(turn);
    return turn;
  }
}

/** The scripted answer to a request: a shell call while fewer than `toolTurns` tool results came back, then text. */
export function scriptedAnswer(body: Record<string, any>, usage: CacheTurn, toolTurns: number): Record<string, unknown> {
  const results = (body.messages ?? []).flatMap((m: any) => (Array.isArray(m.content) ? m.content : [])).filter((b: any) => b.type === "tool_result").length;
  const tools = new Set((body.tools ?? []).map((t: any) => t.name));
  const command = `echo step ${results + 1}`;
  const shell = tools.has("exec_command")
    ? { name: "exec_command", input: { cmd: command } }
    : tools.has("Bash")
      ? { name: "Bash", input: { command, description: `Step ${results + 1}` } }
      : undefined;
  const content =
    results < toolTurns && shell
      ? [{ type: "tool_use", id: `toolu_${results + 1}`, name: shell.name, input: shell.input }]
      : [{ type: "text", text: `Done after ${results} steps.` }];
  return {
    id: `msg_${results}`,
    type: "message",
    role: "assistant",
    model: body.model,
    content,
    stop_reason: content[0]!.type === "tool_use" ? "tool_use" : "end_turn",
    stop_sequence: null,
    usage: { ...usage, breakpoints: undefined, output_tokens: 20 },
  };
}

/** A whole Anthropic message as the SSE events a streamed answer sends. */
export function anthropicSse(message: Record<string, any>): string[] {
  const event = (type: string, data: unknown) => `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
  const { usage, content, stop_reason, ...head } = message;
  const out = [event("message_start", { type: "message_start", message: { ...head, content: [], stop_reason: null, usage: { ...usage, output_tokens: 1 } } })];
  (content as Record<string, any>[]).forEach((block, index) => {
    if (block.type === "text") {
      out.push(event("content_block_start", { type: "content_block_start", index, content_block: { type: "text", text: "" } }));
      out.push(event("content_block_delta", { type: "content_block_delta", index, delta: { type: "text_delta", text: block.text } }));
    } else {
      out.push(event("content_block_start", { type: "content_block_start", index, content_block: { ...block, input: {} } }));
      out.push(
        event("content_block_delta", { type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json: JSON.stringify(block.input) } }),
      );
    }
    out.push(event("content_block_stop", { type: "content_block_stop", index }));
  });
  out.push(event("message_delta", { type: "message_delta", delta: { stop_reason, stop_sequence: null }, usage: { output_tokens: usage.output_tokens } }));
  out.push(event("message_stop", { type: "message_stop" }));
  return out;
}
