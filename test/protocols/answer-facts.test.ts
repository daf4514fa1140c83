// An answer's id and finish reasons from its first and last bytes, for each API, whole or streamed, without a parse.
import { expect, test } from "bun:test";
import { answerFacts } from "../../src/protocols";
import { ANTHROPIC_BODY, ANTHROPIC_CHUNKS, OPENAI_BODY, OPENAI_CHUNKS } from "../helpers/mock-upstream";

const bytes = (s: string) => new TextEncoder().encode(s);
const facts = (s: string) => answerFacts(bytes(s), bytes(s));

test("chat and Anthropic, whole and streamed", () => {
  expect(facts(OPENAI_BODY)).toEqual({ id: "chatcmpl-up1", finishReasons: ["stop"] });
  expect(facts(OPENAI_CHUNKS.join(""))).toEqual({ id: "chatcmpl-up2", finishReasons: ["stop"] });
  expect(facts(ANTHROPIC_BODY)).toEqual({ id: "msg_up1", finishReasons: ["end_turn"] });
  expect(facts(ANTHROPIC_CHUNKS.join(""))).toEqual({ id: "msg_up2", finishReasons: ["end_turn"] });
});

test("Gemini (responseId, not a call's id) and Responses (the terminal event's type)", () => {
  const gemini = `data: {"candidates":[{"content":{"parts":[{"functionCall":{"id":"call-1","name":"f","args":{}}}]},"finishReason":"STOP"}],"responseId":"g-resp-9"}\r\n\r\n`;
  expect(facts(gemini)).toEqual({ id: "g-resp-9", finishReasons: ["STOP"] });
  const responses = `event: response.created\ndata: {"type":"response.created","response":{"id":"resp_1"}}\n\nevent: response.incomplete\ndata: {"type":"response.incomplete","response":{"id":"resp_1"}}\n\n`;
  expect(facts(responses)).toEqual({ id: "resp_1", finishReasons: ["incomplete"] });
});

test("nothing to tell: no id, no reasons; an id that is not a plain token is not taken", () => {
  expect(facts("")).toEqual({ finishReasons: [] });
  expect(facts(`{"id":"a b <script>","finish_reason":"x y"}`)).toEqual({ finishReasons: [] });
});
