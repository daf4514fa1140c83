// #12.9: every piece of client-supplied text that reaches the model is moderated, and every piece of an answer.
import { describe, expect, test } from "bun:test";
import { answerText, eventText, requestText } from "../../src/engines";

const BAD = "FORBIDDEN-PHRASE";

describe("moderation sees all the text", () => {
  const anthropicPlaces: Record<string, object> = {
    "tool description": { tools: [{ name: "t", description: BAD, input_schema: { type: "object" } }], messages: [] },
    "tool name": { tools: [{ name: BAD, input_schema: {} }], messages: [] },
    "tool schema description": { tools: [{ name: "t", input_schema: { type: "object", properties: { a: { description: BAD } } } }], messages: [] },
    "document with a text source": {
      messages: [{ role: "user", content: [{ type: "document", source: { type: "text", media_type: "text/plain", data: BAD } }] }],
    },
    "document with a content source": {
      messages: [{ role: "user", content: [{ type: "document", source: { type: "content", content: [{ type: "text", text: BAD }] } }] }],
    },
    "document context": { messages: [{ role: "user", content: [{ type: "document", context: BAD, source: { type: "base64", data: "AA" } }] }] },
    "search result": { messages: [{ role: "user", content: [{ type: "search_result", source: "s", title: "t", content: [{ type: "text", text: BAD }] }] }] },
    "search result in a tool result": {
      messages: [
        { role: "user", content: [{ type: "tool_result", tool_use_id: "x", content: [{ type: "search_result", source: "s", title: BAD, content: [] }] }] },
      ],
    },
  };
  for (const [place, body] of Object.entries(anthropicPlaces)) {
    test(`Anthropic: ${place}`, () => expect(requestText("anthropic.messages", body, 100_000)).toContain(BAD));
  }
  const openaiPlaces: Record<string, object> = {
    "tool description": { tools: [{ type: "function", function: { name: "t", description: BAD, parameters: {} } }], messages: [] },
    "legacy functions": { functions: [{ name: "t", description: BAD }], messages: [] },
    "legacy function_call": { messages: [{ role: "assistant", content: null, function_call: { name: "f", arguments: BAD } }] },
    "message name": { messages: [{ role: "user", name: BAD, content: "hi" }] },
    "structured output schema": { response_format: { type: "json_schema", json_schema: { name: "x", schema: { description: BAD } } }, messages: [] },
  };
  for (const [place, body] of Object.entries(openaiPlaces)) {
    test(`OpenAI: ${place}`, () => expect(requestText("openai.chat", body, 100_000)).toContain(BAD));
  }

  test("answers: a non-stream legacy function_call, and its stream deltas", () => {
    expect(answerText("openai.chat", { choices: [{ message: { role: "assistant", content: null, function_call: { name: "f", arguments: BAD } } }] })).toContain(
      BAD,
    );
    expect(eventText("openai.chat", { choices: [{ delta: { function_call: { arguments: BAD } } }] })).toContain(BAD);
  });
});
