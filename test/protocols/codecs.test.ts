import { describe, expect, test } from "bun:test";
import { API_FORMATS, API_NAMES, apiOf, protocolOf, GatewayError, LazyBody, type Api, type ApiFormat } from "../../src/core";
import { allCodecs, codecFor, codecOf, familyCodec } from "../../src/protocols";

const FORMATS = API_FORMATS;
const APIS: Api[] = ["openai-chat", "openai-responses", "anthropic-messages", "google-gemini"];
const GEMINI_FORMATS: ApiFormat[] = ["gemini.generate", "gemini.stream", "gemini.count_tokens"];
const IN_BODY = FORMATS.filter((f) => !GEMINI_FORMATS.includes(f));
const body = (v: object) => LazyBody.fromBytes(new TextEncoder().encode(JSON.stringify(v)));

describe("one codec per API", () => {
  test("every format's codec is its API's, and names it", () => {
    expect(FORMATS.length).toBe(10);
    for (const f of FORMATS) expect([codecOf(f), codecOf(f).family]).toEqual([codecFor(apiOf(f)), protocolOf(f)]);
    for (const api of APIS) expect(codecFor(api).api).toBe(api);
    expect(new Set(APIS.map(codecFor)).size).toBe(4);
  });

  test("the model is read where the API keeps it: the body, or Gemini's path (the method after the last colon)", () => {
    for (const f of IN_BODY) expect(codecOf(f).model(body({ model: "m-1", messages: [] }), "/v1/x")).toBe("m-1");
    const gemini = codecFor("google-gemini");
    const model = (path: string) => gemini.model(body({ model: "not-this" }), path);
    expect(model("/v1beta/models/gemini-3.1-pro-preview:streamGenerateContent?alt=sse")).toBe("gemini-3.1-pro-preview");
    expect(model("/v1/models/qwen3:32b:generateContent")).toBe("qwen3:32b");
    expect(model("/v1alpha/models/org%2Fmodel@v2:countTokens")).toBe("org/model@v2");
    expect(() => model("/v1beta/models/m:embedContent")).toThrow("not served");
    expect(() => model("/v1beta/models/:generateContent")).toThrow("1 to 256 characters");
    expect(() => model("/v1beta/models/a%0Ab:generateContent")).toThrow("control characters");
    expect(() => model("/v1beta/models/%E0%A4:generateContent")).toThrow("percent-encoding");
    expect(gemini.formatOf!("/v1beta/models/m:streamGenerateContent?alt=sse")).toBe("gemini.stream");
    expect(gemini.formatOf!("/v1beta/models/m:predict")).toBeUndefined();
  });

  test("a Gemini client's key moves to x-api-key and leaves the path; an empty one is no key", () => {
    const auth = codecFor("google-gemini").clientAuth!;
    const viaQuery = auth(new Headers(), "/v1beta/models/m:streamGenerateContent?key=sk-secret&alt=sse");
    expect(viaQuery.path).toBe("/v1beta/models/m:streamGenerateContent?alt=sse");
    expect(viaQuery.headers.get("x-api-key")).toBe("sk-secret");
    const viaHeader = auth(new Headers({ "x-goog-api-key": "sk-h" }), "/v1beta/models/m:generateContent");
    expect([viaHeader.headers.get("x-api-key"), viaHeader.headers.has("x-goog-api-key")]).toEqual(["sk-h", false]);
    const empty = auth(new Headers({ "x-goog-api-key": "" }), "/v1beta/models/m:generateContent");
    expect([empty.headers.has("x-api-key"), empty.headers.has("x-goog-api-key")]).toEqual([false, false]);
    const both = auth(new Headers({ "x-goog-api-key": "sk-g", authorization: "Bearer sk-b" }), "/v1/models/m:generateContent?key=sk-q");
    expect([both.headers.has("x-api-key"), both.headers.get("authorization"), both.path]).toEqual([false, "Bearer sk-b", "/v1/models/m:generateContent"]);
  });

  test("the operator's key goes where each API wants it, and never when the client's own travels", () => {
    const h = (f: ApiFormat, key: string | undefined, bearer = false) => {
      const headers = new Headers();
      codecOf(f).upstreamHeaders(headers, { key, bearer });
      return Object.fromEntries(headers);
    };
    expect(h("anthropic.messages", "k")).toEqual({ "anthropic-version": "2023-06-01", "x-api-key": "k" });
    expect(h("anthropic.count_tokens", "k", true)).toEqual({ "anthropic-version": "2023-06-01", authorization: "Bearer k" });
    expect(h("openai.chat", "k")).toEqual({ authorization: "Bearer k" });
    expect(h("openai.responses", "k", true)).toEqual({ authorization: "Bearer k" });
    expect(h("openai.chat", undefined)).toEqual({});
    expect(h("anthropic.messages", undefined)).toEqual({ "anthropic-version": "2023-06-01" });
    expect(h("gemini.generate", "k")).toEqual({ "x-goog-api-key": "k" });
    const own = new Headers({ "x-api-key": "client-google-key" }); // auth: client forwarded it
    codecOf("gemini.stream").upstreamHeaders(own, { key: undefined });
    expect(Object.fromEntries(own)).toEqual({ "x-goog-api-key": "client-google-key" });
  });

  test("errors in each API's shape; a Responses client is told a hard 429 is a usage limit (Codex stops only on that)", () => {
    const limit = new GatewayError("rate_limit", "budget spent", { status: 429, headers: { "x-should-retry": "false", "retry-after": "60" } });
    const responses = codecOf("openai.responses").errorAnswer(limit, "req-1").body as any;
    expect(responses.error.type).toBe("usage_limit_reached");
    expect(responses.error.resets_at).toBeGreaterThan(Date.now() / 1000);
    expect((codecOf("openai.chat").errorAnswer(limit, "req-1").body as any).error.type).toBe("requests");
    const anthropic = codecOf("anthropic.messages").errorAnswer(new GatewayError("overloaded", "busy"), "req-2");
    expect(anthropic).toEqual({ status: 529, body: { type: "error", error: { type: "overloaded_error", message: "busy" }, request_id: "req-2" } });
    expect(codecOf("openai.chat").errorAnswer(new GatewayError("overloaded", "busy"), "r").status).toBe(503); // OpenAI clients do not know 529
    expect(codecOf("anthropic.messages").errorEvent(new GatewayError("timeout", "slow"))).toStartWith("event: error\ndata: ");
    expect(codecOf("openai.chat").errorEvent(new GatewayError("timeout", "slow"))).toStartWith('data: {"error":');
    expect(familyCodec("anthropic")).toBe(codecFor("anthropic-messages"));
    expect(familyCodec("openai")).toBe(codecFor("openai-chat"));
    expect(familyCodec("google")).toBe(codecFor("google-gemini"));
    const quota = codecOf("gemini.generate").errorAnswer(limit, "req-3") as any;
    expect(quota.status).toBe(429);
    expect(quota.body.error.status).toBe("RESOURCE_EXHAUSTED");
    const types = quota.body.error.details.map((d: any) => d["@type"].split(".").pop());
    expect(types).toEqual(["QuotaFailure", "RetryInfo", "RequestInfo"]);
    expect(quota.body.error.details[0].violations[0].quotaId).toContain("PerDay"); // Gemini CLI stops on it instead of retrying 10 times
    expect(codecOf("gemini.generate").errorAnswer(new GatewayError("overloaded", "busy"), "r").body).toMatchObject({
      error: { code: 503, status: "UNAVAILABLE" },
    });
    expect(codecOf("gemini.stream").errorEvent(new GatewayError("timeout", "slow"))).toMatch(
      /^data: \{"error":\{"code":504,.*"status":"DEADLINE_EXCEEDED".*\r\n\r\n$/,
    );
  });

  test("output caps and choices per endpoint", () => {
    expect(codecOf("openai.chat").outputCap("openai.chat", { max_tokens: 5, max_completion_tokens: 7 })).toBe(7);
    expect(codecOf("openai.chat").choices({ n: 3 })).toBe(3);
    expect(codecOf("openai.responses").outputCap("openai.responses", { max_output_tokens: 9 })).toBe(9);
    expect(codecOf("openai.responses.compact").outputCap("openai.responses.compact", {})).toBeUndefined();
    expect(codecOf("openai.responses.input_tokens").outputCap("openai.responses.input_tokens", { max_output_tokens: 9 })).toBe(0);
    expect(codecOf("anthropic.count_tokens").outputCap("anthropic.count_tokens", { max_tokens: 9 })).toBe(0);
    expect(codecOf("anthropic.messages").choices({ n: 3 })).toBe(1);
  });

  test("an answer ended early keeps each API's grammar", () => {
    const chat = codecOf("openai.chat").streamEnding("m");
    chat.seen({ id: "c1", created: 1, model: "up" });
    expect(chat.ending("no")).toContain('"finish_reason":"content_filter"');
    expect(chat.ending("no")).toEndWith("data: [DONE]\n\n");
    const messages = codecOf("anthropic.messages").streamEnding("m");
    messages.sent({ type: "message_start", message: {} }, "");
    messages.sent({ type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }, "");
    const end = messages.ending("no");
    expect(end.indexOf("content_block_stop")).toBeLessThan(end.indexOf('"stop_reason":"refusal"'));
    expect(end).toEndWith('event: message_stop\ndata: {"type":"message_stop"}\n\n');
    const responses = codecOf("openai.responses").streamEnding("m");
    expect(responses.ending("")).toContain("response.incomplete");
    expect(codecOf("anthropic.messages").replacedAnswer({ content: [{ type: "text", text: "x" }] }, "no").stop_reason).toBe("refusal");
  });
});

test("a backend's upstream model name goes where the API names its model, the request given unchanged", () => {
  for (const f of IN_BODY) {
    const req = { body: LazyBody.fromBytes(new TextEncoder().encode('{"model":"asked","x":1}')), path: "/v1/x?y=1" };
    const out = codecOf(f).withModel(req, "upstream-name");
    expect(out.body.json()).toEqual({ model: "upstream-name", x: 1 });
    expect(out.path).toBe("/v1/x?y=1");
    expect(req.body.field("model")).toBe("asked");
  }
  const req = { body: body({ contents: [] }), path: "/v1beta/models/asked:streamGenerateContent?alt=sse" };
  const out = codecOf("gemini.stream").withModel(req, "org/upstream-name");
  expect([out.path, out.body]).toEqual(["/v1beta/models/org/upstream-name:streamGenerateContent?alt=sse", req.body]);
});

test("every request format is served at one client path, named by its API's codec (the stored-response reads have their own route)", () => {
  const METHODS = ["generateContent", "streamGenerateContent", "countTokens"];
  const served = allCodecs().flatMap((c) =>
    Object.entries(c.routes).flatMap(([path, f]) =>
      path.endsWith("/*") ? METHODS.map((m) => [c.formatOf!(`${path.slice(0, -1)}m:${m}`)!, c.api]) : [[f, c.api]],
    ),
  );
  expect([...new Set(served.map(([f]) => f))].sort()).toEqual(API_FORMATS.filter((f) => f !== "openai.responses.item").sort());
  for (const [format, api] of served) expect(apiOf(format as ApiFormat)).toBe(api as Api);
  expect(allCodecs().map((c) => c.api)).toEqual([...API_NAMES]);
});
