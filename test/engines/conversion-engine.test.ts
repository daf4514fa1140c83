// The ConversionEngine over every ordered pair of distinct APIs: the client gets its own API's answer, streamed
// exactly when it asked, whatever the backend did (streamed as asked, always, or never), and the backend's
// errors in the client's shape with the backend's status and retry advice.
import { describe, expect, test } from "bun:test";
import { API_NAMES, LazyBody, SseParser, StreamPipeline, engineFn, type Api, type ApiFormat, type LLMRequest, type LLMResponse } from "../../src/core";
import { BACKEND_APIS, ConversionEngine } from "../../src/engines";
import { ANTHROPIC_BODY, ANTHROPIC_CHUNKS, OPENAI_BODY, OPENAI_CHUNKS } from "../helpers/mock-upstream";
import { llmRequest } from "../helpers/requests";
import { responsesSse } from "../helpers/responses-upstream";

const WHOLE_TEXT = "Hi from upstream é中";
const STREAM_TEXT = "Hello";
const RESPONSES_BODY = JSON.stringify({
  id: "resp_up",
  object: "response",
  status: "completed",
  model: "up-model",
  output: [{ id: "msg_0", type: "message", status: "completed", role: "assistant", content: [{ type: "output_text", annotations: [], text: WHOLE_TEXT }] }],
  usage: { input_tokens: 5, output_tokens: 4, total_tokens: 9 },
});

/** What a backend of each API sends: a whole answer, its stream, and a rate-limit error. */
type BackendApi = Api; // every API has a backend half (chat: the hub itself)

const BACKEND: Record<BackendApi, { format: ApiFormat; whole: string; stream: string; error: object }> = {
  "openai-chat": {
    format: "openai.chat",
    whole: OPENAI_BODY,
    stream: OPENAI_CHUNKS.join(""),
    error: { error: { message: "slow down", type: "rate_limit_error" } },
  },
  "anthropic-messages": {
    format: "anthropic.messages",
    whole: ANTHROPIC_BODY,
    stream: ANTHROPIC_CHUNKS.join(""),
    error: { type: "error", error: { type: "rate_limit_error", message: "slow down" } },
  },
  "google-gemini": {
    format: "gemini.stream",
    whole: JSON.stringify({
      candidates: [{ content: { role: "model", parts: [{ text: WHOLE_TEXT }] }, finishReason: "STOP", index: 0 }],
      usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 4, totalTokenCount: 9 },
    }),
    stream: [
      { candidates: [{ content: { role: "model", parts: [{ text: "Hel" }] }, index: 0 }] },
      {
        candidates: [{ content: { role: "model", parts: [{ text: "lo" }] }, finishReason: "STOP", index: 0 }],
        usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 2 },
      },
    ]
      .map((e) => `data: ${JSON.stringify(e)}\r\n\r\n`)
      .join(""),
    error: { error: { code: 429, message: "slow down", status: "RESOURCE_EXHAUSTED" } },
  },
  "openai-responses": {
    format: "openai.responses",
    whole: RESPONSES_BODY,
    stream: responsesSse([{ type: "message", text: STREAM_TEXT }], { input_tokens: 5, output_tokens: 2 }),
    error: { error: { message: "slow down", type: "requests", code: "rate_limit_exceeded" } },
  },
};

/** A client request of each API, streamed or not. */
const CLIENT: Record<Api, (stream: boolean) => { format: ApiFormat; body: object; path?: string }> = {
  "openai-chat": (stream) => ({ format: "openai.chat", body: { model: "m", stream, messages: [{ role: "user", content: "hi" }] } }),
  "anthropic-messages": (stream) => ({
    format: "anthropic.messages",
    body: { model: "m", stream, max_tokens: 50, messages: [{ role: "user", content: "hi" }] },
  }),
  "openai-responses": (stream) => ({ format: "openai.responses", body: { model: "m", stream, store: false, input: "hi" } }),
  "google-gemini": (stream) => ({
    format: stream ? "gemini.stream" : "gemini.generate",
    path: stream ? "/v1beta/models/m:streamGenerateContent?alt=sse" : "/v1beta/models/m:generateContent",
    body: { contents: [{ role: "user", parts: [{ text: "hi" }] }] },
  }),
};

type Mode = "as asked" | "always" | "never";

/** A backend of `api` that streams as `mode` says; records whether it streamed. */
function backend(api: BackendApi, mode: Mode, seen: { streamed?: boolean; format?: ApiFormat }) {
  return engineFn(async (req: LLMRequest): Promise<LLMResponse> => {
    const asked = req.format === "gemini.stream" || req.body.json<{ stream?: boolean }>()?.stream === true; // Gemini says it in the path
    const streamed = mode === "always" || (mode === "as asked" && asked);
    Object.assign(seen, { streamed, format: req.format });
    const b = BACKEND[api];
    if (!streamed)
      return { status: 200, headers: new Headers({ "content-type": "application/json" }), body: LazyBody.fromBytes(new TextEncoder().encode(b.whole)) };
    return { status: 200, headers: new Headers({ "content-type": "text/event-stream" }), stream: StreamPipeline.of(new Response(b.stream).body!) };
  });
}

/** The text a client's answer carries, read the way its API writes it. */
async function clientText(api: Api, res: LLMResponse): Promise<string> {
  if (res.body) {
    const j = res.body.json<any>();
    if (api === "openai-chat") return j.choices[0].message.content;
    if (api === "anthropic-messages") return j.content.map((c: any) => c.text ?? "").join("");
    if (api === "google-gemini") return j.candidates[0].content.parts.map((p: any) => p.text ?? "").join("");
    return j.output
      .flatMap((o: any) => o.content ?? [])
      .map((c: any) => c.text ?? "")
      .join("");
  }
  const text = await new Response(res.stream!.readable()).text();
  let out = "";
  for (const e of new SseParser().push(text)) {
    if (!e.isValue && (e.isDone || !e.data.startsWith("{"))) continue;
    const j = e.json<any>();
    if (api === "openai-chat") out += j.choices?.[0]?.delta?.content ?? "";
    else if (api === "anthropic-messages") out += j.type === "content_block_delta" ? (j.delta.text ?? "") : "";
    else if (api === "google-gemini") out += (j.candidates?.[0]?.content?.parts ?? []).map((p: any) => p.text ?? "").join("");
    else out += j.type === "response.output_text.delta" ? j.delta : "";
  }
  return out;
}

const PAIRS = API_NAMES.flatMap((client) => (BACKEND_APIS as BackendApi[]).filter((b) => b !== client).map((b) => [client, b] as const));

describe("ConversionEngine: every pair of APIs", () => {
  for (const [client, backendApi] of PAIRS) {
    for (const mode of ["as asked", "always", "never"] as Mode[]) {
      for (const stream of [false, true]) {
        test(`${client} client on a ${backendApi} backend that streams ${mode}, client stream: ${stream}`, async () => {
          const seen: { streamed?: boolean; format?: ApiFormat } = {};
          const engine = new ConversionEngine(backend(backendApi, mode, seen), client, backendApi);
          const res = await engine.process(llmRequest(CLIENT[client](stream)));
          expect(res.status).toBe(200);
          expect(seen.format).toBe(BACKEND[backendApi].format);
          expect(res.stream !== undefined).toBe(stream);
          if (stream) expect(res.headers.get("content-type")).toStartWith("text/event-stream");
          expect(await clientText(client, res)).toBe(seen.streamed ? STREAM_TEXT : WHOLE_TEXT);
        });
      }
    }

    test(`${client} client on a ${backendApi} backend: a 429 keeps its status and retry advice, in the client's shape`, async () => {
      const upstream = engineFn(async () => ({
        status: 429,
        upstreamStatus: 429,
        headers: new Headers({ "content-type": "application/json", "retry-after": "7" }),
        body: LazyBody.fromValue(BACKEND[backendApi].error),
      }));
      const res = await new ConversionEngine(upstream, client, backendApi).process(llmRequest(CLIENT[client](false)));
      expect(res.status).toBe(429);
      expect(res.upstreamStatus).toBe(429);
      expect(res.headers.get("retry-after")).toBe("7");
      const body = res.body!.json<any>();
      if (client === "anthropic-messages") expect(body.type).toBe("error");
      if (client === "google-gemini") expect(body.error.status).toBe("RESOURCE_EXHAUSTED");
      expect(body.error.message).toContain("slow down");
    });
  }

  test("an API and itself is no conversion", () => {
    const upstream = engineFn(async () => ({ status: 200, headers: new Headers() }));
    for (const api of API_NAMES) expect(() => new ConversionEngine(upstream, api, api)).toThrow("without conversion");
  });

  test("requests of another API pass through untouched", async () => {
    let got: LLMRequest | undefined;
    const upstream = engineFn(async (req: LLMRequest) => {
      got = req;
      return { status: 204, headers: new Headers() };
    });
    const req = llmRequest({ format: "openai.responses", body: { model: "m", input: "hi" } });
    await new ConversionEngine(upstream, "anthropic-messages", "openai-chat").process(req);
    expect(got).toBe(req);
  });
});
