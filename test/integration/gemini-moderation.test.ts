// Moderation on the Gemini surface (a Gemini client converted to a chat backend): a flagged prompt is a 400
// INVALID_ARGUMENT before the upstream; a flagged stream ends with a SAFETY event in Gemini's framing, no
// flagged text reaching the client; a flagged whole answer is replaced with finishReason SAFETY.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { startMockModeration } from "../helpers/mock-moderation";
import { startScriptedUpstream } from "../helpers/mock-upstream";

const chunk = (content: string, finish: string | null = null) =>
  `data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"up","choices":[{"index":0,"delta":{"content":${JSON.stringify(content)}},"finish_reason":${JSON.stringify(finish)}}]}\n\n`;
const whole = (content: string) =>
  JSON.stringify({
    id: "c",
    object: "chat.completion",
    created: 1,
    model: "up",
    choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
  });

let upstream: ReturnType<typeof startScriptedUpstream>;
let mod: ReturnType<typeof startMockModeration>;
let gw: TestGateway;

beforeAll(() => {
  upstream = startScriptedUpstream();
  mod = startMockModeration();
  gw = startGateway(`
backends:
  chat: { base_url: "${upstream.url}", api: openai-chat }
models:
  gemini-mod:
    moderation: { url: "${mod.url}/v1/moderations", provider: openai, api_key: sk-mod, window_chars: 20, timeout_ms: 300 }
    backends: { "default:1": { use: chat } }
`);
});
afterAll(() => {
  gw.stop();
  upstream.stop();
  mod.stop();
});

const ask = (method: string, text: string) =>
  fetch(`${gw.url}/v1beta/models/gemini-mod:${method}`, { method: "POST", body: JSON.stringify({ contents: [{ role: "user", parts: [{ text }] }] }) });

test("a flagged prompt is a 400 INVALID_ARGUMENT; the upstream is never asked", async () => {
  const before = upstream.seen.length;
  const res = await ask("generateContent", "say something FORBIDDEN");
  expect(res.status).toBe(400);
  expect(((await res.json()) as any).error.status).toBe("INVALID_ARGUMENT");
  expect(upstream.seen.length).toBe(before);
});

test("a flagged stream ends with a SAFETY event; no flagged text reaches the client; every event a data: line", async () => {
  upstream.next = { chunks: [chunk("The first part is fine. "), chunk("and then FORBIDDEN words "), chunk("more", "stop"), "data: [DONE]\n\n"] };
  const res = await ask("streamGenerateContent?alt=sse", "tell me");
  const text = await res.text();
  expect(text).not.toContain("FORBIDDEN");
  const events = text.split("\r\n\r\n").filter((b) => b.trim());
  for (const e of events) expect(e).toMatch(/^data: \{.*\}$/);
  const last = JSON.parse(events.at(-1)!.slice(6));
  expect(last.candidates[0].finishReason).toBe("SAFETY");
  expect(last.candidates[0].content.parts[0].text).toContain("withheld");
});

test("a flagged whole answer is replaced, finishReason SAFETY", async () => {
  upstream.next = { body: whole("here are FORBIDDEN things") };
  const res = await ask("generateContent", "tell me");
  const body = (await res.json()) as any;
  expect(body.candidates[0].finishReason).toBe("SAFETY");
  expect(JSON.stringify(body)).not.toContain("FORBIDDEN");
});
