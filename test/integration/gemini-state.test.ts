// A Gemini client on a Claude backend keeps Claude's thinking across a tool loop: the signature rides in the
// gateway's envelope on the first non-thought part (the only place Gemini CLI keeps one), and comes back to
// Anthropic as the thinking block it was, text and signature; a forged or altered envelope is ignored.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { responsesSse } from "../helpers/responses-upstream";

const ev = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;

/** A scripted SSE upstream on 127.0.0.1 that records each request body in `seen` and answers `answer(body)`. */
function scripted(seen: any[], answer: (body: any) => string) {
  return Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const body: any = await req.json();
      seen.push(body);
      return new Response(answer(body), { headers: { "content-type": "text/event-stream" } });
    },
  });
}

const seen: any[] = [];
const upstream = scripted(seen, (body) => {
  const answered = JSON.stringify(body.messages).includes("tool_result");
  const start = ev("message_start", {
    message: { id: "msg_1", type: "message", role: "assistant", model: "claude", content: [], usage: { input_tokens: 10, output_tokens: 1 } },
  });
  const events = answered
    ? [
        start,
        ev("content_block_start", { index: 0, content_block: { type: "text", text: "" } }),
        ev("content_block_delta", { index: 0, delta: { type: "text_delta", text: "Done." } }),
      ]
    : [
        start,
        ev("content_block_start", { index: 0, content_block: { type: "thinking", thinking: "", signature: "" } }),
        ev("content_block_delta", { index: 0, delta: { type: "thinking_delta", thinking: "I should read it." } }),
        ev("content_block_delta", { index: 0, delta: { type: "signature_delta", signature: "sig-anthropic-1" } }),
        ev("content_block_stop", { index: 0 }),
        ev("content_block_start", { index: 1, content_block: { type: "tool_use", id: "toolu_1", name: "read_file", input: {} } }),
        ev("content_block_delta", { index: 1, delta: { type: "input_json_delta", partial_json: '{"path":"a.txt"}' } }),
      ];
  const end = [
    ev("content_block_stop", { index: answered ? 0 : 1 }),
    ev("message_delta", { delta: { stop_reason: answered ? "end_turn" : "tool_use" }, usage: { output_tokens: 5 } }),
    ev("message_stop", {}),
  ];
  return [...events, ...end].join("");
});
const responsesSeen: any[] = [];
const responses = scripted(responsesSeen, (body) => {
  const answered = JSON.stringify(body.input).includes("function_call_output");
  const items = answered
    ? [{ type: "message" as const, text: "Done." }]
    : [
        { type: "reasoning" as const, summary: "Read it first.", encrypted: "enc-openai-1" },
        { type: "function_call" as const, call_id: "call_r1", name: "read_file", arguments: '{"path":"a.txt"}' },
      ];
  return responsesSse(items);
});
let gw: TestGateway;
beforeAll(() => {
  gw = startGateway(`
backends:
  claude: { base_url: "http://127.0.0.1:${upstream.port}", api: anthropic-messages, api_key: sk-ant }
  codex: { base_url: "http://127.0.0.1:${responses.port}", api: openai-responses, api_key: sk-oa }
models:
  gemini-on-claude: { backends: { "default:1": { use: claude } } }
  gemini-on-codex: { backends: { "default:1": { use: codex } } }
`);
});
afterAll(() => {
  gw.stop();
  upstream.stop(true);
  responses.stop(true);
});

const tools = [{ functionDeclarations: [{ name: "read_file", parametersJsonSchema: { type: "object", properties: { path: { type: "string" } } } }] }];
const generationConfig = { thinkingConfig: { includeThoughts: true, thinkingLevel: "HIGH" } };
const stream = async (contents: object[], model = "gemini-on-claude") => {
  const res = await fetch(`${gw.url}/v1beta/models/${model}:streamGenerateContent?alt=sse`, {
    method: "POST",
    body: JSON.stringify({ contents, tools, generationConfig }),
  });
  const text = await res.text();
  return text
    .split("\r\n\r\n")
    .filter((b) => b.startsWith("data: "))
    .flatMap((b) => JSON.parse(b.slice(6)).candidates?.[0]?.content?.parts ?? []);
};

test("Claude's thinking signature survives a Gemini client's tool loop, sealed; a forged one is dropped", async () => {
  const ask = { role: "user", parts: [{ text: "read a.txt" }] };
  const parts = await stream([ask]);
  expect(parts.find((p: any) => p.thought)?.text).toBe("I should read it.");
  const call = parts.find((p: any) => p.functionCall);
  expect(call.functionCall).toMatchObject({ id: "toolu_1", name: "read_file", args: { path: "a.txt" } });
  expect(call.thoughtSignature).toStartWith("AGd3M"); // the first non-thought part: the call
  expect(JSON.stringify(parts)).not.toContain("sig-anthropic-1");
  // Gemini CLI's history: thought parts dropped, the call with its signature, then the result
  const result = { role: "user", parts: [{ functionResponse: { id: "toolu_1", name: "read_file", response: { output: "hello" } } }] };
  await stream([ask, { role: "model", parts: [call] }, result]);
  const assistant = seen.at(-1).messages.find((m: any) => m.role === "assistant");
  expect(assistant.content[0]).toEqual({ type: "thinking", thinking: "I should read it.", signature: "sig-anthropic-1" });
  expect(assistant.content[1]).toMatchObject({ type: "tool_use", id: "toolu_1", name: "read_file" });
  // an altered envelope (one byte of its MAC changed) is no state: no thinking block is made up
  const raw = Buffer.from(call.thoughtSignature, "base64");
  raw[raw.length - 1] = raw[raw.length - 1]! ^ 1;
  await stream([ask, { role: "model", parts: [{ ...call, thoughtSignature: raw.toString("base64") }] }, result]);
  const forged = seen.at(-1).messages.find((m: any) => m.role === "assistant");
  expect(forged.content.some((b: any) => b.type === "thinking")).toBe(false);
});

test("a Responses backend's encrypted reasoning survives a Gemini client's tool loop, back before its call", async () => {
  const ask = { role: "user", parts: [{ text: "read a.txt" }] };
  const parts = await stream([ask], "gemini-on-codex");
  const call = parts.find((p: any) => p.functionCall);
  expect(call.functionCall).toMatchObject({ id: "call_r1", name: "read_file" });
  expect(call.thoughtSignature).toStartWith("AGd3M");
  expect(JSON.stringify(parts)).not.toContain("enc-openai-1");
  const result = { role: "user", parts: [{ functionResponse: { id: "call_r1", name: "read_file", response: { output: "hello" } } }] };
  await stream([ask, { role: "model", parts: [call] }, result], "gemini-on-codex");
  const input = responsesSeen.at(-1).input;
  const at = input.findIndex((i: any) => i.type === "reasoning");
  expect(input[at]).toMatchObject({ type: "reasoning", encrypted_content: "enc-openai-1" });
  expect(input[at + 1]).toMatchObject({ type: "function_call", call_id: "call_r1" });
});
