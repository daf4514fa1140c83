// #23.2: usage is read from where the API defines it: a whole answer's root `usage`, a stream's terminal event
// (`response.usage`, `message_delta.usage`, the usage chunk), never a nested or client-echoed field such as the
// `metadata` a Responses object echoes after its usage, whatever the event's size.
import { afterAll, expect, test } from "bun:test";
import { lastKeyValueAt } from "../../src/core";
import { bodyUsage, StreamUsage } from "../../src/protocols";
import { createLoggedGateway } from "../helpers/gateway";
import { startScriptedUpstream } from "../helpers/mock-upstream";
import { responsesSse } from "../helpers/responses-upstream";

const enc = new TextEncoder();
const upstream = startScriptedUpstream();
afterAll(() => upstream.stop());

const echoed = { user: null, metadata: { usage: "-", note: '"usage":{"input_tokens":0}' } };
const responseObject = (text: string) =>
  JSON.stringify({
    id: "resp_1",
    object: "response",
    status: "completed",
    output: [{ type: "message", role: "assistant", content: [{ type: "output_text", text }] }],
    usage: { input_tokens: 1_000_000, output_tokens: 500_000 },
    ...echoed,
  });

test("lastKeyValueAt reads a key at its own depth only, backwards from the end", () => {
  const buf = enc.encode(`{"a":{"usage":1},"usage":{"n":2},"m":{"usage":"x","s":"\\"usage\\":3"}}`);
  expect(lastKeyValueAt(buf, "usage", 1)).toBe(`{"n":2}`);
  expect(lastKeyValueAt(buf, "usage", 2)).toBe(`"x"`);
  expect(lastKeyValueAt(enc.encode(`{"m":{"usage":"x"}}`), "usage", 1)).toBeUndefined();
  // the start of the value may be gone: depth counts from the end
  const cut = enc.encode(`xt":"…"}],"usage":{"n":5},"metadata":{"usage":"-"}}`);
  expect(lastKeyValueAt(cut, "usage", 1)).toBe(`{"n":5}`);
});

test("a whole answer's usage is its root's, not an echoed metadata.usage", () => {
  expect(bodyUsage(enc.encode(responseObject("hi")))).toEqual({ input: 1_000_000, output: 500_000 });
  const chat = `{"choices":[{"message":{"content":"ok"}}],"usage":{"prompt_tokens":7,"completion_tokens":3}}`;
  expect(bodyUsage(enc.encode(chat))).toEqual({ input: 7, output: 3 });
  expect(bodyUsage(enc.encode(`{"choices":[{"usage":{"prompt_tokens":4,"completion_tokens":2}}]}`))).toEqual({ input: 4, output: 2 });
});

test("a Gemini answer's usage is its root usageMetadata (thoughts and tool-use prompts counted), never a part's echo", () => {
  const answer = {
    candidates: [{ content: { role: "model", parts: [{ text: '"usageMetadata":{"promptTokenCount":1}' }] }, finishReason: "STOP" }],
    usageMetadata: { promptTokenCount: 100, cachedContentTokenCount: 60, candidatesTokenCount: 7, thoughtsTokenCount: 20, toolUsePromptTokenCount: 3 },
    modelVersion: "m",
  };
  expect(bodyUsage(enc.encode(JSON.stringify(answer)))).toEqual({ input: 103, output: 27, cacheRead: 60 });
});

test("a stream's terminal event longer than the tail kept still gives its response.usage, not the echoed metadata", () => {
  for (const size of [10, 40_000, 300_000]) {
    const sse = responsesSse([{ type: "message", text: "x".repeat(size) }], { input_tokens: 1_000_000, output_tokens: 500_000 }, "completed", echoed);
    const meter = new StreamUsage();
    const bytes = enc.encode(sse);
    for (let i = 0; i < bytes.length; i += 1000) meter.feed(bytes.subarray(i, i + 1000));
    expect(meter.usage).toEqual({ input: 1_000_000, output: 500_000 });
  }
});

test("end to end: a Responses answer with metadata.usage is charged its real usage (whole and streamed)", async () => {
  const { gw, lines } = await createLoggedGateway(`
backends:
  resp: { base_url: "${upstream.url}", api: openai-responses, price: { input: 1, output: 10 } }
models:
  gpt-x: { backends: { "default:1": { use: resp } } }
`);
  const ask = async (stream: boolean) => {
    const body = { model: "gpt-x", input: "hi", stream, metadata: { usage: "-" } };
    const r = await gw.fetch(new Request("http://gw/v1/responses", { method: "POST", body: JSON.stringify(body) }));
    await r.text();
    await Bun.sleep(5);
    gw.accessLog.flush();
    return lines.at(-1);
  };
  upstream.next = { body: responseObject("hi") };
  expect((await ask(false)).cost_usd).toBeCloseTo(6, 9);
  upstream.next = {
    chunks: [responsesSse([{ type: "message", text: "y".repeat(50_000) }], { input_tokens: 1_000_000, output_tokens: 500_000 }, "completed", echoed)],
  };
  const line = await ask(true);
  expect(line.cost_usd).toBeCloseTo(6, 9);
  expect(line.usage_estimated).toBeUndefined();
  await gw.shutdown();
});
