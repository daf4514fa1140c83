// One scripted model turn as an upstream streams it: a tool call or a text, in chat chunks or Anthropic events
// (what an agent test's scripted backend answers with).
import { chunk, d } from "../fixtures/openai-streams";

const usage = (p: number, c: number) => d({ id: "c1", choices: [], usage: { prompt_tokens: p, completion_tokens: c, total_tokens: p + c } });

/** A chat stream calling one tool (usage 1000 in, 20 out). */
export const chatCall = (id: string, name: string, args: object) => [
  chunk({ tool_calls: [{ index: 0, id, type: "function", function: { name, arguments: JSON.stringify(args) } }] }),
  chunk({}, "tool_calls"),
  usage(1000, 20),
  "data: [DONE]\n\n",
];

/** A chat stream saying a text (usage 1200 in, 10 out). */
export const chatSay = (text: string) => [chunk({ role: "assistant", content: text }), chunk({}, "stop"), usage(1200, 10), "data: [DONE]\n\n"];

const ev = (e: { type: string; [key: string]: unknown }) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`;

/** An Anthropic stream with one content block (its start and one delta), ending with `stop`. */
function anthropicBlock(id: string, block: object, delta: object, stop: string, input: number, output: number): string[] {
  return [
    ev({
      type: "message_start",
      message: { id, type: "message", role: "assistant", model: "m", content: [], usage: { input_tokens: input, output_tokens: 1 } },
    }),
    ev({ type: "content_block_start", index: 0, content_block: block }),
    ev({ type: "content_block_delta", index: 0, delta }),
    ev({ type: "content_block_stop", index: 0 }),
    ev({ type: "message_delta", delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: output } }),
    ev({ type: "message_stop" }),
  ];
}

/** An Anthropic stream calling one tool (usage 900 in, 12 out). */
export const anthropicToolUse = (id: string, name: string, input: object) =>
  anthropicBlock("msg_a", { type: "tool_use", id, name, input: {} }, { type: "input_json_delta", partial_json: JSON.stringify(input) }, "tool_use", 900, 12);

/** An Anthropic stream saying a text (usage 950 in, 8 out). */
export const anthropicText = (text: string) => anthropicBlock("msg_b", { type: "text", text: "" }, { type: "text_delta", text }, "end_turn", 950, 8);

/** A gateway config whose model `onChat` goes to a chat backend and `onClaude` to an Anthropic one, both at `url`. */
export const chatAndClaudeConfig = (url: string, onChat: string, onClaude: string) => `
backends:
  chat: { base_url: "${url}", api: openai-chat, model: deepseek-v4, profile: { ping_interval_ms: 0 } }
  claude: { base_url: "${url}", api: anthropic-messages, model: claude-sonnet-4-5, profile: { ping_interval_ms: 0 } }
models:
  ${onChat}: { backends: { "default:1": { use: chat } } }
  ${onClaude}: { backends: { "default:1": { use: claude } } }
`;
