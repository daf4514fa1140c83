// The mock's answers in the hub's form (chat completions), whole or as SSE event texts.
import { HUB_DONE, HubChunkWriter, type HubCompletion, type HubMessage, type HubToolCall } from "../../protocols/openai-chat/hub";

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

/** OpenAI chat.completion object. */
export function openaiCompletion(r: MockReply): HubCompletion {
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
  const out = new HubChunkWriter(r.id, Math.floor(Date.now() / 1000), r.model);
  const events = [out.chunk({ role: "assistant", content: r.call ? null : "" })];
  if (r.call) events.push(out.chunk({ tool_calls: chatToolMessage(r.call).tool_calls.map((c, index) => ({ index, ...c })) }));
  else for (const p of r.pieces) events.push(out.chunk({ content: p }));
  events.push(out.chunk({}, r.call ? "tool_calls" : "stop"));
  if (includeUsage) events.push(out.usage({ prompt_tokens: r.inputTokens, completion_tokens: r.outputTokens, total_tokens: r.inputTokens + r.outputTokens }));
  events.push(HUB_DONE);
  return events;
}

function chatToolMessage(call: NonNullable<MockReply["call"]>): HubMessage & { tool_calls: HubToolCall[] } {
  return { role: "assistant", content: null, tool_calls: [{ id: call.id, type: "function", function: { name: call.name, arguments: call.arguments } }] };
}
