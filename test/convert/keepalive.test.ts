// Converted streams: pings while the upstream is silent, the idle timeout, query strings, signed thinking.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { signThinking } from "../../src/convert";
import { checkAnthropicStream } from "../helpers/anthropic-grammar";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { startMockUpstream } from "../helpers/mock-upstream";
import { postJson } from "../helpers/requests";

let upstream: ReturnType<typeof startMockUpstream>;
let gw: TestGateway;
const c = (delta: object, finish: string | null = null) => `data: ${JSON.stringify({ id: "k", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;

beforeAll(() => {
  upstream = startMockUpstream((_r, body) => {
    const say = body?.messages?.at(-1)?.content;
    if (say === "slow") return { chunks: [c({ content: "a" }), c({ content: "b" }), c({}, "stop"), "data: [DONE]\n\n"], delayMs: 250 };
    if (say === "stall") return { chunks: [c({ content: "a" })], hang: true };
    return {};
  });
  gw = startGateway(`
models:
  conv:
    backends:
      "default:1": { base_url: "${upstream.url}", convert_to_messages: from_chat, idle_timeout_ms: 600, profile: { ping_interval_ms: 100 } }
  pass:
    backends:
      "default:1": { base_url: "${upstream.url}" }
`);
});
afterAll(() => {
  gw.stop();
  upstream.stop();
});
const post = (path: string, body: object) => postJson(gw.url, path, body);

describe("keep-alive and idle timeout (63)", () => {
  test("a silent upstream gets pings between events; the stream still obeys the grammar", async () => {
    const text = await (await post("/v1/messages", { model: "conv", max_tokens: 9, stream: true, messages: [{ role: "user", content: "slow" }] })).text();
    const evs = checkAnthropicStream(text);
    expect(evs.filter((e) => e.event === "ping").length).toBeGreaterThan(2);
  });
  test("an upstream silent past the idle timeout ends with an error event", async () => {
    const text = await (await post("/v1/messages", { model: "conv", max_tokens: 9, stream: true, messages: [{ role: "user", content: "stall" }] })).text();
    const evs = checkAnthropicStream(text);
    expect(evs.at(-1)!.data.error.message).toContain("idle");
  });
});

describe("Claude Code paths (81) and signed thinking (83)", () => {
  test("/v1/messages/count_tokens?beta=true answers locally", async () => {
    const r = await post("/v1/messages/count_tokens?beta=true", { model: "conv", messages: [{ role: "user", content: "hello there" }] });
    expect(((await r.json()) as any).input_tokens).toBeGreaterThan(0);
  });
  test("our thinking is removed on an Anthropic pass-through route, and becomes reasoning history on a converted one", async () => {
    const history = (signature: string) => ({
      model: "",
      max_tokens: 9,
      messages: [
        { role: "user", content: "q" },
        {
          role: "assistant",
          content: [
            { type: "thinking", thinking: "secret plan", signature },
            { type: "text", text: "a" },
          ],
        },
        { role: "user", content: "again" },
      ],
    });
    await (await post("/v1/messages", { ...history(signThinking("secret plan")), model: "pass" })).text();
    const sentPass = JSON.parse(new TextDecoder().decode(upstream.seen.at(-1)!.body));
    expect(sentPass.messages[1].content).toEqual([{ type: "text", text: "a" }]);
    await (await post("/v1/messages", { ...history("EqRealAnthropicSignature"), model: "pass" })).text();
    expect(JSON.parse(new TextDecoder().decode(upstream.seen.at(-1)!.body)).messages[1].content[0].type).toBe("thinking"); // real ones pass untouched
  });
});

describe("client hang-up on a converted stream", () => {
  test("the upstream request is cancelled", async () => {
    const before = upstream.aborted.length;
    const ctrl = new AbortController();
    const res = await fetch(`${gw.url}/v1/messages`, {
      method: "POST",
      body: JSON.stringify({ model: "conv", max_tokens: 9, stream: true, messages: [{ role: "user", content: "slow" }] }),
      signal: ctrl.signal,
    });
    const reader = res.body!.getReader();
    await reader.read();
    ctrl.abort();
    for (let i = 0; i < 50 && upstream.aborted.length === before; i++) await Bun.sleep(20);
    expect(upstream.aborted.length).toBeGreaterThan(before);
  });
});
