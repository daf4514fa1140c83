// Requests are values (#13.1): an engine that changes a request derives a new one; the request it was given,
// body and headers, stays as it was, so every failover attempt starts from what the balancer received.
import { afterAll, describe, expect, test } from "bun:test";
import { buildGateway, loadConfigText } from "../../src/config";
import { signThinking } from "../../src/convert";
import { LazyBody, engineFn, type Engine, type LLMRequest } from "../../src/core";
import { BalancerEngine, ChatFromMessagesEngine, MessagesFromChatEngine, RewriteEngine, ThinkingFilterEngine } from "../../src/engines";
import { startGateway } from "../helpers/gateway";
import { ANTHROPIC_BODY, OPENAI_BODY, startMockUpstream } from "../helpers/mock-upstream";
import { llmRequest } from "../helpers/requests";

const upstream = startMockUpstream();
afterAll(() => upstream.stop());

const request = (format: LLMRequest["format"], body: object, headers: Record<string, string> = {}): LLMRequest =>
  llmRequest({ format, path: "/v1/x", body: JSON.stringify(body), headers: { "accept-encoding": "gzip", "anthropic-version": "2023-06-01", ...headers } });

/** What a request looks like from outside: its bytes, its parsed value and its headers. */
const snapshot = (req: LLMRequest) => ({
  bytes: new TextDecoder().decode(req.body.bytesOut()),
  value: JSON.stringify(req.body.json()),
  headers: JSON.stringify([...req.headers]),
  format: req.format,
  path: req.path,
});

/** A terminal engine that answers in the request's protocol and changes nothing. */
const answer: Engine = engineFn(async (req) => ({
  status: 200,
  headers: new Headers({ "content-type": "application/json" }),
  body: LazyBody.fromBytes(new TextEncoder().encode(req.format === "openai.chat" ? OPENAI_BODY : ANTHROPIC_BODY)),
}));

const CHAT = {
  model: "m",
  max_tokens: 20,
  messages: [
    { role: "system", content: "s" },
    { role: "user", content: "hi" },
  ],
  tools: [{ type: "function", function: { name: "f", parameters: {} } }],
};
const MESSAGES = {
  model: "m",
  max_tokens: 20,
  system: "s",
  messages: [
    { role: "user", content: "hi" },
    {
      role: "assistant",
      content: [
        { type: "thinking", thinking: "t", signature: signThinking("t") },
        { type: "text", text: "ok" },
      ],
    },
    { role: "user", content: "again" },
  ],
};

describe("no engine changes the request it is given", () => {
  const rewrite = {
    request: {
      set_keys: { model: "other", "metadata.x": 1, "messages.0.content": "changed" },
      remove_keys: ["max_tokens", "messages.1"],
      set_keys_by_expr: { temperature: "0.5" },
    },
  };
  const cases: [string, Engine, LLMRequest["format"], object][] = [
    ["RewriteEngine (OpenAI)", new RewriteEngine(answer, rewrite), "openai.chat", CHAT],
    ["RewriteEngine (Anthropic)", new RewriteEngine(answer, rewrite), "anthropic.messages", MESSAGES],
    ["ThinkingFilterEngine", new ThinkingFilterEngine(answer), "anthropic.messages", MESSAGES],
    ["MessagesFromChatEngine", new MessagesFromChatEngine(answer), "anthropic.messages", MESSAGES],
    ["ChatFromMessagesEngine", new ChatFromMessagesEngine(answer), "openai.chat", CHAT],
    ["RewriteEngine around a converter", new RewriteEngine(new MessagesFromChatEngine(answer), rewrite), "anthropic.messages", MESSAGES],
  ];
  for (const [name, engine, format, body] of cases) {
    test(name, async () => {
      const req = request(format, body);
      const before = snapshot(req);
      const res = await engine.process(req);
      expect(res.status).toBe(200);
      expect(snapshot(req)).toEqual(before);
    });
  }

  test("the whole gateway built from a config with every engine (rules, limits, moderation off, rewrites, conversion)", async () => {
    const loaded = loadConfigText(`
models:
  m:
    request_rewrites: { set_keys: { model: upstream-model, "messages.0.content": x }, remove_keys: [temperature] }
    default_org_limits: { rpm: 1000, tpm: 100000000, concurrency: 10 }
    default_rules: [{ name: tag, match: "Features.promptTextLen > 0", add_tags: [t] }]
    backends:
      "default:1": { base_url: "${upstream.url}", request_rewrites: { set_keys: { "metadata.k": v } } }
  c:
    backends:
      "default:1": { base_url: "${upstream.url}", convert_to_messages: from_chat, request_rewrites: { set_keys: { model: x } } }
`);
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    const gw = buildGateway(loaded.config);
    for (const [format, body] of [
      ["openai.chat", { ...CHAT, temperature: 1 }],
      ["anthropic.messages", MESSAGES],
      ["anthropic.messages", { ...MESSAGES, model: "c" }],
    ] as const) {
      const req = request(format, body);
      const before = snapshot(req);
      const res = await gw.root.process(req);
      expect(res.status).toBe(200);
      expect(snapshot(req)).toEqual(before);
    }
  });
});

describe("failover", () => {
  test("one backend's request rewrite does not reach the next backend", async () => {
    const gw = startGateway(`
server: { failover: { max_attempts: 2 } }
models:
  m:
    backends:
      "default:9": { base_url: "http://127.0.0.1:9", connect_timeout_ms: 200, request_rewrites: { set_keys: { model: provider-a-model-name, "metadata.a": 1 } } }
      "default:1": { base_url: "${upstream.url}" }
`);
    try {
      const before = upstream.seen.length;
      const r = await fetch(`${gw.url}/v1/chat/completions`, {
        method: "POST",
        body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] }),
      });
      expect(r.status).toBe(200);
      const seen = upstream.seen.slice(before);
      expect(seen.length).toBe(1);
      expect(JSON.parse(new TextDecoder().decode(seen[0]!.body))).toEqual({ model: "m", messages: [{ role: "user", content: "hi" }] });
      expect(gw.logs.at(-1).attempts).toBe(2);
    } finally {
      gw.stop();
    }
  });

  test("the balancer hands every attempt the request it received", async () => {
    const given: string[] = [];
    const failing = (name: string): Engine =>
      new RewriteEngine(
        engineFn(async (req) => {
          given.push(new TextDecoder().decode(req.body.bytesOut()));
          throw Object.assign(new (await import("../../src/core")).GatewayError("upstream_unavailable", `${name} down`));
        }),
        { request: { set_keys: { model: name } } },
      );
    const balancer = new BalancerEngine(
      [
        { backend: { name: "a", engine: failing("a") }, weight: 2 },
        { backend: { name: "b", engine: failing("b") }, weight: 1 },
      ],
      { maxAttempts: 2 },
    );
    const req = request("openai.chat", { model: "m", messages: [] });
    await expect(balancer.process(req)).rejects.toThrow(/down/);
    expect(given.map((b) => JSON.parse(b).model).sort()).toEqual(["a", "b"]);
    expect(new TextDecoder().decode(req.body.bytesOut())).toBe(`{"model":"m","messages":[]}`);
  });
});
