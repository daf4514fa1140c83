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

const sse = (data: unknown) => formatSse({ data: JSON.stringify(data) });

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

function chatToolMessage(call: NonNullable<MockReply["call"]>) {
  return { role: "assistant", content: null, tool_calls: [{ id: call.id, type: "function", function: { name: call.name, arguments: call.arguments } }] };
}
