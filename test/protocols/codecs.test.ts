import { describe, expect, test } from "bun:test";
import { API_FORMATS, API_NAMES, apiOf, protocolOf, GatewayError, LazyBody, type Api, type ApiFormat } from "../../src/core";
import { allCodecs, codecFor, codecOf, familyCodec } from "../../src/protocols";

const FORMATS = API_FORMATS;
const APIS: Api[] = ["openai-chat", "openai-responses", "anthropic-messages"];
const body = (v: object) => LazyBody.fromBytes(new TextEncoder().encode(JSON.stringify(v)));

describe("one codec per API", () => {
  test("every format's codec is its API's, and names it", () => {
    expect(FORMATS.length).toBe(7);
    for (const f of FORMATS) expect([codecOf(f), codecOf(f).family]).toEqual([codecFor(apiOf(f)), protocolOf(f)]);
    for (const api of APIS) expect(codecFor(api).api).toBe(api);
    expect(new Set(APIS.map(codecFor)).size).toBe(3);
  });

  test("the model is read where the API keeps it (the body, for these three)", () => {
    for (const f of FORMATS) expect(codecOf(f).model(body({ model: "m-1", messages: [] }), "/v1/x")).toBe("m-1");
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
  for (const f of API_FORMATS) {
    const req = { body: LazyBody.fromBytes(new TextEncoder().encode('{"model":"asked","x":1}')), path: "/v1/x?y=1" };
    const out = codecOf(f).withModel(req, "upstream-name");
    expect(out.body.json()).toEqual({ model: "upstream-name", x: 1 });
    expect(out.path).toBe("/v1/x?y=1");
    expect(req.body.field("model")).toBe("asked");
  }
});

test("every request format is served at one client path, named by its API's codec (the stored-response reads have their own route)", () => {
  const served = allCodecs().flatMap((c) => Object.values(c.routes).map((f) => [f, c.api]));
  expect(served.map(([f]) => f).sort()).toEqual(API_FORMATS.filter((f) => f !== "openai.responses.item").sort());
  for (const [format, api] of served) expect(apiOf(format as ApiFormat)).toBe(api as Api);
  expect(allCodecs().map((c) => c.api)).toEqual([...API_NAMES]);
});
