// The Gemini API served to the real @google/genai SDK from chat and Anthropic backends: text, streams, tool calls
// with ids across turns, structured output, countTokens, the model list, errors as google.rpc.Status, keys in
// x-goog-api-key or ?key= (never logged), and the JSON-array framing without alt=sse.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ApiError, FinishReason, GoogleGenAI } from "@google/genai";
import { ANTHROPIC_BODY, ANTHROPIC_CHUNKS, OPENAI_BODY, OPENAI_CHUNKS, startMockUpstream } from "../helpers/mock-upstream";
import { startGateway, type TestGateway } from "../helpers/gateway";

const TOOL_CALL_BODY = JSON.stringify({
  id: "chatcmpl-tc",
  object: "chat.completion",
  created: 1,
  model: "up",
  choices: [
    {
      index: 0,
      message: {
        role: "assistant",
        content: null,
        tool_calls: [{ id: "call_up_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }],
      },
      finish_reason: "tool_calls",
    },
  ],
  usage: { prompt_tokens: 11, completion_tokens: 3, total_tokens: 14 },
});

let upstream: ReturnType<typeof startMockUpstream>;
let gw: TestGateway;
let keyed: TestGateway;

beforeAll(() => {
  upstream = startMockUpstream((req, json) => {
    const anthropic = req.path.startsWith("/v1/messages");
    const text = JSON.stringify(json ?? {});
    if (text.includes("rate me"))
      return { status: 429, headers: { "retry-after": "7" }, body: JSON.stringify({ error: { message: "slow down", type: "requests" } }) };
    if (text.includes("weather") && !text.includes('"role":"tool"')) return { body: TOOL_CALL_BODY };
    if (json?.stream) return { chunks: anthropic ? ANTHROPIC_CHUNKS : OPENAI_CHUNKS };
    return { body: anthropic ? ANTHROPIC_BODY : OPENAI_BODY };
  });
  const backends = `
backends:
  chat: { base_url: "${upstream.url}", api: openai-chat, api_key: sk-up }
  claude: { base_url: "${upstream.url}", api: anthropic-messages, api_key: sk-up }
models:
  gemini-on-chat: { backends: { "default:1": { use: chat } } }
  gemini-on-claude: { backends: { "default:1": { use: claude } } }
`;
  gw = startGateway(backends);
  keyed = startGateway(`${backends}
users:
  acme:
    api_keys: { dev: sk-octo-gemini-key }
`);
});

afterAll(() => {
  gw.stop();
  keyed.stop();
  upstream.stop();
});

const client = (g: TestGateway, apiKey = "unused", apiVersion?: string) =>
  new GoogleGenAI({ apiKey, httpOptions: { baseUrl: g.url, ...(apiVersion ? { apiVersion } : {}) } });

describe("@google/genai on converted backends", () => {
  for (const model of ["gemini-on-chat", "gemini-on-claude"]) {
    test(`${model}: generateContent answers the upstream's text with its usage`, async () => {
      const res = await client(gw).models.generateContent({ model, contents: "hi" });
      expect(res.text).toBe("Hi from upstream é中");
      expect(res.candidates?.[0]?.finishReason).toBe(FinishReason.STOP);
      expect(res.usageMetadata?.promptTokenCount).toBe(5);
      expect(res.usageMetadata?.candidatesTokenCount).toBe(4);
      expect(res.modelVersion).toBe(model);
      const line = gw.logs.at(-1);
      expect([line.tokens_in, line.tokens_out, line.usage_estimated]).toEqual([5, 4, undefined]); // the answer's own usage, charged exactly
    });

    test(`${model}: generateContentStream yields the deltas, the last chunk with finishReason and usage`, async () => {
      const chunks = [];
      for await (const c of await client(gw).models.generateContentStream({ model, contents: "hi" })) chunks.push(c);
      expect(chunks.map((c) => c.text ?? "").join("")).toBe("Hello");
      const last = chunks[chunks.length - 1]!;
      expect(last.candidates?.[0]?.finishReason).toBe(FinishReason.STOP);
      expect(last.usageMetadata?.promptTokenCount).toBe(5);
      expect(last.usageMetadata?.candidatesTokenCount).toBe(2);
      await Bun.sleep(20); // a stream's line is written when it ends
      const line = gw.logs.at(-1);
      expect([line.tokens_in, line.tokens_out, line.usage_estimated]).toEqual([5, 2, undefined]);
    });
  }

  test("a tool call comes back with its id and parsed args; the result goes up paired to that id", async () => {
    const ai = client(gw);
    const tools = [{ functionDeclarations: [{ name: "get_weather", parametersJsonSchema: { type: "object", properties: { city: { type: "string" } } } }] }];
    const first = await ai.models.generateContent({ model: "gemini-on-chat", contents: "weather in Paris?", config: { tools } });
    const call = first.functionCalls?.[0];
    expect(call).toEqual({ id: "call_up_1", name: "get_weather", args: { city: "Paris" } });
    expect(first.candidates?.[0]?.finishReason).toBe(FinishReason.STOP);
    const before = upstream.seen.length;
    await ai.models.generateContent({
      model: "gemini-on-chat",
      config: { tools },
      contents: [
        { role: "user", parts: [{ text: "weather in Paris?" }] },
        { role: "model", parts: [{ functionCall: call! }] },
        { role: "user", parts: [{ functionResponse: { id: call!.id, name: "get_weather", response: { output: "sunny" } } }] },
      ],
    });
    const sent = JSON.parse(new TextDecoder().decode(upstream.seen[before]!.body));
    expect(sent.tools[0].function).toMatchObject({ name: "get_weather", parameters: { type: "object" } });
    expect(sent.messages[1].tool_calls[0]).toMatchObject({ id: "call_up_1", function: { name: "get_weather", arguments: '{"city":"Paris"}' } });
    expect(sent.messages[2]).toEqual({ role: "tool", tool_call_id: "call_up_1", content: "sunny" });
  });

  test("system instruction, generation config and a JSON schema reach the chat backend", async () => {
    const before = upstream.seen.length;
    await client(gw).models.generateContent({
      model: "gemini-on-chat",
      contents: "list two colors",
      config: {
        systemInstruction: "Be brief.",
        temperature: 0.3,
        maxOutputTokens: 64,
        stopSequences: ["END"],
        responseMimeType: "application/json",
        responseSchema: { type: "OBJECT" as never, properties: { colors: { type: "ARRAY" as never, items: { type: "STRING" as never }, minItems: "2" } } },
      },
    });
    const sent = JSON.parse(new TextDecoder().decode(upstream.seen[before]!.body));
    expect(sent.messages[0]).toEqual({ role: "system", content: "Be brief." });
    expect([sent.temperature, sent.max_tokens, sent.stop]).toEqual([0.3, 64, ["END"]]);
    expect(sent.response_format.json_schema.schema).toEqual({
      type: "object",
      properties: { colors: { type: "array", items: { type: "string" }, minItems: 2 } },
    });
  });

  test("countTokens is estimated by the gateway", async () => {
    const res = await client(gw).models.countTokens({ model: "gemini-on-claude", contents: "hello there, how are you today?" });
    expect(res.totalTokens).toBeGreaterThan(0);
  });

  test("models.list names the configured models in Google's shape", async () => {
    const names: string[] = [];
    for await (const m of await client(gw).models.list()) names.push(m.name ?? "");
    expect(names).toEqual(["models/gemini-on-chat", "models/gemini-on-claude"]);
    const page = (await (await fetch(`${gw.url}/v1beta/models?pageSize=1`)).json()) as any;
    expect([page.models.map((m: any) => m.name), page.nextPageToken]).toEqual([["models/gemini-on-chat"], "1"]);
    const next = (await (await fetch(`${gw.url}/v1beta/models?pageSize=1&pageToken=${page.nextPageToken}`)).json()) as any;
    expect([next.models.map((m: any) => m.name), next.nextPageToken]).toEqual([["models/gemini-on-claude"], undefined]);
    const one = await client(gw).models.get({ model: "gemini-on-claude" });
    expect(one.name).toBe("models/gemini-on-claude");
    const missing = await client(gw)
      .models.get({ model: "no-such-model" })
      .catch((e: unknown) => e);
    expect((missing as ApiError).status).toBe(404);
  });

  test("an upstream 429 is RESOURCE_EXHAUSTED with RetryInfo; an unknown model is NOT_FOUND", async () => {
    const err = await client(gw)
      .models.generateContent({ model: "gemini-on-chat", contents: "rate me" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(429);
    const body = JSON.parse((err as ApiError).message);
    expect(body.error.status).toBe("RESOURCE_EXHAUSTED");
    expect(body.error.details.find((d: any) => d["@type"].endsWith("RetryInfo"))).toMatchObject({ retryDelay: "7s" });
    const missing = await client(gw)
      .models.generateContent({ model: "no-such-model", contents: "hi" })
      .catch((e: unknown) => e);
    expect((missing as ApiError).status).toBe(404);
    expect(JSON.parse((missing as ApiError).message).error.status).toBe("NOT_FOUND");
  });

  test("the v1 path (@google/genai's own default version) is served the same", async () => {
    const res = await client(gw, "unused", "v1").models.generateContent({ model: "gemini-on-chat", contents: "hi" });
    expect(res.text).toBe("Hi from upstream é中");
  });
});

describe("keys on the Gemini surface", () => {
  test("a gateway key in x-goog-api-key is the caller's; a wrong one is UNAUTHENTICATED; neither reaches the upstream", async () => {
    const before = upstream.seen.length;
    const ok = await client(keyed, "sk-octo-gemini-key").models.generateContent({ model: "gemini-on-chat", contents: "hi" });
    expect(ok.text).toBe("Hi from upstream é中");
    const headers = upstream.seen[before]!.headers;
    expect(JSON.stringify(headers)).not.toContain("sk-octo-gemini-key");
    expect(headers.authorization).toBe("Bearer sk-up");
    const bad = await client(keyed, "sk-wrong")
      .models.generateContent({ model: "gemini-on-chat", contents: "hi" })
      .catch((e: unknown) => e);
    expect((bad as ApiError).status).toBe(401);
    expect(JSON.parse((bad as ApiError).message).error.status).toBe("UNAUTHENTICATED");
  });

  test("a key in ?key= works and is not in the access log", async () => {
    const res = await fetch(`${keyed.url}/v1beta/models/gemini-on-chat:generateContent?key=sk-octo-gemini-key`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ contents: [{ parts: [{ text: "hi" }] }] }),
    });
    expect(res.status).toBe(200);
    await res.text();
    const line = keyed.logs.at(-1);
    expect(line.org).toBe("acme");
    expect(JSON.stringify(keyed.logs)).not.toContain("sk-octo-gemini-key");
  });
});

describe("framing", () => {
  test("streamGenerateContent without alt=sse is one JSON array; with it, data: lines and no comments", async () => {
    const body = JSON.stringify({ contents: [{ parts: [{ text: "hi" }] }] });
    const post = (q: string) => fetch(`${gw.url}/v1beta/models/gemini-on-chat:streamGenerateContent${q}`, { method: "POST", body });
    const array = await post("");
    expect(array.headers.get("content-type")).toStartWith("application/json");
    const events = JSON.parse(await array.text());
    expect(events.map((e: any) => e.candidates[0].content.parts[0].text ?? "").join("")).toBe("Hello");
    const sse = await (await post("?alt=sse")).text();
    const blocks = sse.split("\r\n\r\n").filter((b) => b.trim());
    for (const b of blocks) expect(b).toMatch(/^data: \{.*\}$/);
    expect(sse).not.toContain("event:");
  });

  test("a method the gateway does not serve is 404 in Google's shape", async () => {
    const res = await fetch(`${gw.url}/v1beta/models/gemini-on-chat:embedContent`, { method: "POST", body: "{}" });
    expect(res.status).toBe(404);
    expect(((await res.json()) as any).error.status).toBe("NOT_FOUND");
  });
});
