// Hostile shapes on the Gemini surface, both ways: a Gemini client's mutated requests and a chat backend's
// mutated answers; a chat client's mutated requests to a Gemini backend and that backend's mutated answers and
// streams. A client's mistake is a 400 (404 for a mutated model), an upstream's a 5xx, never a crash.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { OPENAI_BODY } from "../helpers/mock-upstream";
import { mutate, rng } from "../helpers/random";
import { chatToolLoop } from "../helpers/requests";

const GEMINI_REQUEST = {
  systemInstruction: { parts: [{ text: "be brief" }] },
  contents: [
    { role: "user", parts: [{ text: "hi" }, { inlineData: { mimeType: "image/png", data: "AAAA" } }] },
    {
      role: "model",
      parts: [
        { text: "t", thought: true },
        { functionCall: { id: "c1", name: "f", args: { a: 1 } }, thoughtSignature: "sig" },
      ],
    },
    { role: "user", parts: [{ functionResponse: { id: "c1", name: "f", response: { output: "ok" } } }] },
  ],
  tools: [{ functionDeclarations: [{ name: "f", description: "d", parametersJsonSchema: { type: "object", properties: { a: { type: "integer" } } } }] }],
  toolConfig: { functionCallingConfig: { mode: "AUTO" } },
  generationConfig: { temperature: 1, maxOutputTokens: 50, thinkingConfig: { includeThoughts: true, thinkingLevel: "HIGH" } },
};
const CHAT_REQUEST = { ...chatToolLoop("chat-on-gemini"), reasoning_effort: "high" };
const GEMINI_ANSWER = {
  candidates: [
    {
      content: { role: "model", parts: [{ text: "x", thought: true }, { text: "y" }, { functionCall: { id: "g", name: "f", args: {} } }] },
      finishReason: "STOP",
      index: 0,
    },
  ],
  usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 2, totalTokenCount: 7 },
  responseId: "r",
};
const CHAT_ANSWER = {
  ...JSON.parse(OPENAI_BODY),
  choices: [
    {
      index: 0,
      message: { role: "assistant", content: "x", tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: "{}" } }] },
      finish_reason: "tool_calls",
    },
  ],
};

let answer = "";
let sse: string | undefined;
const upstream = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch: () =>
    sse !== undefined
      ? new Response(sse, { headers: { "content-type": "text/event-stream" } })
      : new Response(answer, { headers: { "content-type": "application/json" } }),
});
let gw: TestGateway;
beforeAll(() => {
  gw = startGateway(`
backends:
  chat: { base_url: "http://127.0.0.1:${upstream.port}", api: openai-chat }
  google: { base_url: "http://127.0.0.1:${upstream.port}", api: google-gemini }
models:
  gemini-on-chat: { backends: { "default:1": { use: chat } } }
  chat-on-gemini: { backends: { "default:1": { use: google } } }
`);
});
afterAll(() => {
  gw.stop();
  upstream.stop(true);
});

const post = async (path: string, body: unknown) => {
  const r = await fetch(`${gw.url}${path}`, { method: "POST", body: JSON.stringify(body) });
  return { status: r.status, text: await r.text() };
};

describe("Gemini fuzz", () => {
  test("a Gemini client on a chat backend: 300 mutated requests and 300 mutated answers, never a crash", async () => {
    const r = rng(27);
    const seen = new Set<number>();
    for (let i = 0; i < 300; i++) {
      answer = JSON.stringify(CHAT_ANSWER);
      const req = await post("/v1beta/models/gemini-on-chat:generateContent", mutate(GEMINI_REQUEST, r));
      seen.add(req.status);
      expect([200, 400]).toContain(req.status);
      expect(req.text).not.toContain("internal error");
      if (req.status === 400) expect(JSON.parse(req.text).error.status).toBe("INVALID_ARGUMENT");
      answer = JSON.stringify(mutate(CHAT_ANSWER, r));
      const res = await post("/v1beta/models/gemini-on-chat:generateContent", GEMINI_REQUEST);
      expect([200, 500, 503]).toContain(res.status);
      expect(res.text).not.toContain("internal error");
      if (res.status !== 200) expect(JSON.parse(res.text).error.status).toMatch(/^(INTERNAL|UNAVAILABLE)$/);
    }
    expect([...seen].sort()).toEqual([200, 400]);
  });

  test("a chat client on a Gemini backend: 300 mutated requests and 300 mutated answers, never a crash", async () => {
    const r = rng(28);
    for (let i = 0; i < 300; i++) {
      answer = JSON.stringify(GEMINI_ANSWER);
      const req = await post("/v1/chat/completions", mutate(CHAT_REQUEST, r));
      expect([200, 400, 404]).toContain(req.status);
      expect(req.text).not.toContain("internal error");
      answer = JSON.stringify(mutate(GEMINI_ANSWER, r));
      const res = await post("/v1/chat/completions", CHAT_REQUEST);
      expect([200, 502]).toContain(res.status);
      expect(res.text).not.toContain("internal error");
    }
  });

  test("200 mutated Gemini streams reach a chat client well-formed: [DONE] or an in-band error", async () => {
    const r = rng(29);
    const events = [
      { candidates: [{ content: { role: "model", parts: [{ text: "Hel" }] }, index: 0 }] },
      {
        candidates: [{ content: { role: "model", parts: [{ functionCall: { name: "f", args: { a: 1 } } }] }, finishReason: "STOP", index: 0 }],
        usageMetadata: { promptTokenCount: 5 },
      },
    ];
    try {
      for (let i = 0; i < 200; i++) {
        const mutated = events.map((e, k) => (k === i % 2 ? mutate(e, r) : e));
        sse = mutated.map((e) => `data: ${JSON.stringify(e)}\r\n\r\n`).join("");
        const res = await post("/v1/chat/completions", { ...CHAT_REQUEST, stream: true });
        expect(res.status).toBe(200);
        expect(res.text.trimEnd().endsWith("data: [DONE]") || res.text.includes(`"error":{`)).toBe(true);
        expect(res.text).not.toContain("internal error");
      }
    } finally {
      sse = undefined;
    }
  });
});
