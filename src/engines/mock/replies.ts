// The mock's answers in each protocol's exact shapes, whole or as SSE event texts.
import { formatSse } from "../../core";

/** What a mock reply says and counts. */
export interface MockReply {
  id: string;
  model: string;
  text: string;
  pieces: string[];
  inputTokens: number;
  outputTokens: number;
  /** A tool call made instead of text (agent mode): its id, the tool's name and its arguments as JSON text. */
  call?: { id: string; name: string; arguments: string };
}

const sse = (data: unknown, event?: string) => formatSse({ event, data: JSON.stringify(data) });

/** OpenAI chat.completion object. */
export function openaiCompletion(r: MockReply): object {
  return {
    id: r.id,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: r.model,
    choices: [
      {
        index: 0,
        message: r.call ? chatToolMessage(r.call) : { role: "assistant", content: r.text, refusal: null },
        logprobs: null,
        finish_reason: r.call ? "tool_calls" : "stop",
      },
    ],
    usage: { prompt_tokens: r.inputTokens, completion_tokens: r.outputTokens, total_tokens: r.inputTokens + r.outputTokens },
  };
}

/** OpenAI chat.completion.chunk events, ending with `[DONE]`; a usage chunk when asked for. */
export function openaiChunks(r: MockReply, includeUsage: boolean): string[] {
  const created = Math.floor(Date.now() / 1000);
  const chunk = (delta: object, finish: string | null) =>
    sse({
      id: r.id,
      object: "chat.completion.chunk",
      created,
      model: r.model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    });
  const out = [chunk({ role: "assistant", content: r.call ? null : "" }, null)];
  if (r.call) out.push(chunk({ tool_calls: chatToolMessage(r.call).tool_calls.map((c, index) => ({ index, ...c })) }, null));
  else for (const p of r.pieces) out.push(chunk({ content: p }, null));
  out.push(chunk({}, r.call ? "tool_calls" : "stop"));
  if (includeUsage) {
    out.push(
      sse({
        id: r.id,
        object: "chat.completion.chunk",
        created,
        model: r.model,
        choices: [],
        usage: { prompt_tokens: r.inputTokens, completion_tokens: r.outputTokens, total_tokens: r.inputTokens + r.outputTokens },
      }),
    );
  }
  out.push("data: [DONE]\n\n");
  return out;
}

/** Anthropic message object. */
export function anthropicMessage(r: MockReply): object {
  return {
    id: r.id,
    type: "message",
    role: "assistant",
    model: r.model,
    content: [r.call ? anthropicToolUse(r.call) : { type: "text", text: r.text }],
    stop_reason: r.call ? "tool_use" : "end_turn",
    stop_sequence: null,
    usage: { input_tokens: r.inputTokens, output_tokens: r.outputTokens },
  };
}

/** Anthropic stream events in the order the Messages API sends them. */
export function anthropicEvents(r: MockReply): string[] {
  const out = [
    sse(
      {
        type: "message_start",
        message: {
          id: r.id,
          type: "message",
          role: "assistant",
          model: r.model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: r.inputTokens, output_tokens: 1 },
        },
      },
      "message_start",
    ),
    sse(
      { type: "content_block_start", index: 0, content_block: r.call ? { ...anthropicToolUse(r.call), input: {} } : { type: "text", text: "" } },
      "content_block_start",
    ),
    sse({ type: "ping" }, "ping"),
  ];
  const delta = (d: object) => out.push(sse({ type: "content_block_delta", index: 0, delta: d }, "content_block_delta"));
  if (r.call) delta({ type: "input_json_delta", partial_json: r.call.arguments });
  else for (const p of r.pieces) delta({ type: "text_delta", text: p });
  const stop = r.call ? "tool_use" : "end_turn";
  out.push(
    sse({ type: "content_block_stop", index: 0 }, "content_block_stop"),
    sse({ type: "message_delta", delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: r.outputTokens } }, "message_delta"),
    sse({ type: "message_stop" }, "message_stop"),
  );
  return out;
}

function chatToolMessage(call: NonNullable<MockReply["call"]>) {
  return { role: "assistant", content: null, tool_calls: [{ id: call.id, type: "function", function: { name: call.name, arguments: call.arguments } }] };
}

function anthropicToolUse(call: NonNullable<MockReply["call"]>) {
  return { type: "tool_use", id: call.id, name: call.name, input: JSON.parse(call.arguments) as object };
}
