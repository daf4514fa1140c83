// #12.12: hostile shapes, both ways, through both converters (and moderation and rules on the way): a client's
// mistake is a 400, an upstream's a 502, never a 500 or a crash.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { checkAnthropicStream } from "../helpers/anthropic-grammar";
import { ANTHROPIC_BODY, ANTHROPIC_CHUNKS, OPENAI_BODY, OPENAI_CHUNKS } from "../helpers/mock-upstream";
import { startMockModeration } from "../helpers/mock-moderation";
import { mutate, rng } from "../helpers/random";
import { chatToolLoop } from "../helpers/requests";

const CHAT_REQUEST = { ...chatToolLoop("to-anthropic"), tool_choice: { type: "function", function: { name: "f" } } };
const MESSAGES_REQUEST = {
  model: "to-openai",
  max_tokens: 50,
  system: [{ type: "text", text: "be brief" }],
  messages: [
    {
      role: "user",
      content: [
        { type: "text", text: "hi" },
        { type: "image", source: { type: "base64", media_type: "image/png", data: "AAAA" } },
      ],
    },
    {
      role: "assistant",
      content: [
        { type: "thinking", thinking: "t", signature: "s" },
        { type: "tool_use", id: "t1", name: "f", input: { a: 1 } },
      ],
    },
    { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: [{ type: "text", text: "ok" }] }] },
  ],
  tools: [{ name: "f", description: "d", input_schema: { type: "object", properties: {} } }],
  tool_choice: { type: "auto" },
  thinking: { type: "enabled", budget_tokens: 1024 },
};
const OPENAI_ANSWER = {
  ...JSON.parse(OPENAI_BODY),
  choices: [
    {
      index: 0,
      message: { role: "assistant", content: "x", tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: "{}" } }] },
      finish_reason: "tool_calls",
    },
  ],
};
const ANTHROPIC_ANSWER = {
  ...JSON.parse(ANTHROPIC_BODY),
  content: [
    { type: "text", text: "x" },
    { type: "tool_use", id: "t", name: "f", input: {} },
  ],
};

let answer: () => string = () => "";
let streamAnswer: string[] | undefined;
const upstream = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch: () =>
    streamAnswer
      ? new Response(streamAnswer.join(""), { headers: { "content-type": "text/event-stream" } })
      : new Response(answer(), { headers: { "content-type": "application/json" } }),
});

/** The chunks of a canned stream with one event's JSON mutated (its data line rebuilt). */
function mutateStream(chunks: readonly string[], r: () => number): string[] {
  const out = [...chunks];
  const i = Math.floor(r() * out.length);
  const m = /^((?:event: [^\n]*\n)?data: ?)(\{.*\})\n\n$/s.exec(out[i]!);
  if (m) out[i] = `${m[1]}${JSON.stringify(mutate(JSON.parse(m[2]!), r))}\n\n`;
  return out;
}
let moderation: ReturnType<typeof startMockModeration>;
let gw: TestGateway;
beforeAll(() => {
  moderation = startMockModeration();
  gw = startGateway(`
models:
  to-anthropic:
    moderation: { provider: webhook, url: "${moderation.url}/hook" }
    default_rules: [{ name: long, match: "Features.promptTextLen > 100000 or Features.prefix20 == 'x'", add_tags: [long] }]
    backends: { "default:1": { base_url: "http://127.0.0.1:${upstream.port}", convert_to_chat: from_messages } }
  to-openai:
    moderation: { provider: webhook, url: "${moderation.url}/hook" }
    default_rules: [{ name: long, match: "Features.promptTextLen > 100000 or Features.suffix20 == 'x'", add_tags: [long] }]
    backends: { "default:1": { base_url: "http://127.0.0.1:${upstream.port}", convert_to_messages: from_chat } }
`);
});
afterAll(() => {
  gw.stop();
  upstream.stop(true);
  moderation.stop();
});

describe("converter fuzz", () => {
  test("the cases that were found: tools [null], function null, messages [null], upstream tool_calls [null]", async () => {
    answer = () => OPENAI_BODY;
    for (const body of [
      { ...CHAT_REQUEST, tools: [null] },
      { ...CHAT_REQUEST, tools: [{ type: "function", function: null }] },
      { ...CHAT_REQUEST, messages: [null] },
    ]) {
      const r = await fetch(`${gw.url}/v1/chat/completions`, { method: "POST", body: JSON.stringify(body) });
      expect(r.status).toBe(400);
    }
    answer = () =>
      JSON.stringify({
        ...OPENAI_ANSWER,
        choices: [{ index: 0, message: { role: "assistant", content: null, tool_calls: [null] }, finish_reason: "tool_calls" }],
      });
    const r = await fetch(`${gw.url}/v1/messages`, { method: "POST", body: JSON.stringify(MESSAGES_REQUEST) });
    // Anthropic clients know no 502: an upstream failure is their 500 api_error (a crash would say "internal error")
    expect(r.status).toBe(500);
    expect(((await r.json()) as any).error.message).toContain("upstream answer has an unexpected shape");
  });

  for (const [route, path, request, upstreamAnswer] of [
    ["OpenAI client on an Anthropic backend", "/v1/chat/completions", CHAT_REQUEST, ANTHROPIC_ANSWER],
    ["Anthropic client on an OpenAI backend", "/v1/messages", MESSAGES_REQUEST, OPENAI_ANSWER],
  ] as const) {
    test(`${route}: 300 mutated requests and 300 mutated answers, never a 500`, async () => {
      const r = rng(route.length);
      const statuses = new Map<number, number>();
      for (let i = 0; i < 300; i++) {
        answer = () => JSON.stringify(upstreamAnswer);
        const req = await fetch(`${gw.url}${path}`, { method: "POST", body: JSON.stringify(mutate(request, r)) });
        const reqText = await req.text();
        statuses.set(req.status, (statuses.get(req.status) ?? 0) + 1);
        expect([200, 400, 404]).toContain(req.status); // 404: the model name itself was mutated
        expect(reqText).not.toContain("internal error");
        const bad = mutate(upstreamAnswer, r);
        answer = () => JSON.stringify(bad);
        const res = await fetch(`${gw.url}${path}`, { method: "POST", body: JSON.stringify(request) });
        const resText = await res.text();
        expect(path === "/v1/messages" ? [200, 500, 502] : [200, 502]).toContain(res.status); // Anthropic's api_error may be a 500
        if (res.status !== 200) expect(JSON.parse(resText).error.type).toBe(path === "/v1/messages" ? "api_error" : "server_error");
        expect(resText).not.toContain("internal error");
      }
      expect(statuses.get(200)).toBeGreaterThan(0);
      expect(statuses.get(400)).toBeGreaterThan(0);
    });
  }

  test("streams: 200 mutated upstream streams each way end well-formed (a complete answer or an in-band error)", async () => {
    const r = rng(99);
    try {
      for (let i = 0; i < 200; i++) {
        streamAnswer = mutateStream(OPENAI_CHUNKS, r);
        const a = await fetch(`${gw.url}/v1/messages`, { method: "POST", body: JSON.stringify({ ...MESSAGES_REQUEST, stream: true }) });
        const aText = await a.text();
        expect(a.status).toBe(200);
        checkAnthropicStream(aText); // throws on a grammar violation or a stream that does not end
        streamAnswer = mutateStream(ANTHROPIC_CHUNKS, r);
        const o = await fetch(`${gw.url}/v1/chat/completions`, { method: "POST", body: JSON.stringify({ ...CHAT_REQUEST, stream: true }) });
        const oText = await o.text();
        expect(o.status).toBe(200);
        expect(oText.trimEnd().endsWith("data: [DONE]") || oText.includes(`"error":{`)).toBe(true);
        expect(oText).not.toContain("internal error");
      }
    } finally {
      streamAnswer = undefined;
    }
  });
});
