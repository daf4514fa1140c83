// #12.1: token fields reach the token reservation only as checked integers, on the memory store and on Redis.
// needs: redis (npm test skips this file when it is not reachable, outside CI)
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomUUID } from "node:crypto";
import { LazyBody } from "../../src/core";
import { checkTokenFields, requestedOutputTokens } from "../../src/protocols";
import { chatFromMessagesRequest } from "../../src/convert";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { startMockUpstream } from "../helpers/mock-upstream";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
let upstream: ReturnType<typeof startMockUpstream>;
beforeAll(() => {
  upstream = startMockUpstream((_r, body) =>
    body?.messages?.[0]?.content === "refuse" ? { status: 400, body: `{"error":{"message":"no"}}` } : { delayMs: 0 },
  );
});
afterAll(() => upstream.stop());

const config = (server: string) => `
server: { ${server} }
backends:
  up: { base_url: "${upstream.url}" }
models:
  m:
    default_org_limits: { tpm: 3000, concurrency: 2 }
    backends: { "default:1": { use: up } }
  a:
    default_org_limits: { tpm: 3000 }
    backends: { "default:1": { use: up, convert_to_chat: from_messages } }
`;

const raw = (gw: TestGateway, path: string, text: string) =>
  fetch(`${gw.url}${path}`, { method: "POST", headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" }, body: text });

describe("token fields are checked at the edge", () => {
  test("bad values get a 400 in the caller's shape, naming the field", () => {
    const bad = ["-1", "-1e300", "-1e400", "1e400", "1000.5", '"100"', "true", "[1]", "2147483648", "1e20"];
    for (const v of bad) {
      const body = LazyBody.fromBytes(new TextEncoder().encode(`{"model":"m","max_tokens":${v},"messages":[]}`));
      expect(() => checkTokenFields("openai.chat", body)).toThrow(/max_tokens must be an integer/);
      expect(() => checkTokenFields("anthropic.messages", body)).toThrow(/max_tokens must be an integer/);
    }
    const ok = LazyBody.fromBytes(new TextEncoder().encode(`{"model":"m","max_tokens":null,"max_completion_tokens":0,"n":2,"messages":[]}`));
    expect(() => checkTokenFields("openai.chat", ok)).not.toThrow();
    for (const [k, v] of [
      ["n", "0"],
      ["n", "129"],
      ["n", "1.5"],
      ["max_completion_tokens", "-5"],
    ]) {
      const body = LazyBody.fromBytes(new TextEncoder().encode(`{"model":"m","${k}":${v}}`));
      expect(() => checkTokenFields("openai.chat", body)).toThrow(new RegExp(`${k} must be`));
    }
    const thinking = LazyBody.fromBytes(new TextEncoder().encode(`{"model":"m","max_tokens":10,"thinking":{"type":"enabled","budget_tokens":-3}}`));
    expect(() => checkTokenFields("anthropic.messages", thinking)).toThrow(/thinking.budget_tokens/);
  });

  test("the limiter and the OpenAI→Anthropic converter read the same output cap", () => {
    const body = { model: "m", max_tokens: 100, max_completion_tokens: 200, messages: [{ role: "user", content: "x" }] };
    expect(requestedOutputTokens("openai.chat", body)).toBe(200);
    expect(chatFromMessagesRequest(body).body.max_tokens).toBe(200);
    const nulls = { model: "m", max_tokens: 100, max_completion_tokens: null, messages: [{ role: "user", content: "x" }] };
    expect(requestedOutputTokens("openai.chat", nulls)).toBe(100);
    expect(chatFromMessagesRequest(nulls).body.max_tokens).toBe(100);
  });

  for (const [name, server] of [
    ["memory store", ""],
    ["redis store", `redis_url: "${REDIS_URL}", redis_key_prefix: "t12-${randomUUID()}:"`],
  ] as const) {
    describe(name, () => {
      let gw: TestGateway;
      beforeAll(() => {
        gw = startGateway(config(server));
      });
      afterAll(() => gw.stop());

      test("a negative or infinite max_tokens neither resets nor poisons the window", async () => {
        // fill most of the window: 2 × (input ~1 + 1400)
        for (let i = 0; i < 2; i++) {
          const r = await raw(gw, "/v1/chat/completions", `{"model":"m","max_tokens":1400,"messages":[{"role":"user","content":"refuse"}]}`);
          expect(r.status).toBe(400); // the upstream refused: the reservation is given back...
        }
        await Bun.sleep(100); // Redis settlements are sent in batches every 25 ms
        const held = await raw(gw, "/v1/chat/completions", `{"model":"m","max_tokens":2900,"messages":[{"role":"user","content":"x"}]}`);
        expect(held.status).toBe(200); // ...settled to the real usage (9 tokens)
        await held.text();
        await Bun.sleep(100);
        for (const v of ["-1e300", "-1e400", "1e400", "-5"]) {
          const r = await raw(gw, "/v1/chat/completions", `{"model":"m","max_tokens":${v},"messages":[{"role":"user","content":"refuse"}]}`);
          expect(r.status).toBe(400);
          const err = (await r.json()) as any;
          expect(err.error.param).toBe("max_tokens");
          expect(err.error.message).toMatch(/max_tokens must be an integer/);
        }
        // the counter is still a number: a request that fits is admitted, one that does not is refused
        expect((await raw(gw, "/v1/chat/completions", `{"model":"m","max_tokens":100,"messages":[{"role":"user","content":"x"}]}`)).status).toBe(200);
        expect((await raw(gw, "/v1/chat/completions", `{"model":"m","max_tokens":2999,"messages":[{"role":"user","content":"x"}]}`)).status).toBe(429);
      });

      test("a fractional max_tokens is refused, so it cannot make the store fail open past concurrency", async () => {
        const slow = Array.from({ length: 10 }, () =>
          raw(gw, "/v1/chat/completions", `{"model":"m","max_tokens":10.5,"stream":true,"messages":[{"role":"user","content":"x"}]}`),
        );
        const statuses = (await Promise.all(slow)).map((r) => r.status);
        expect(statuses.every((s) => s === 400)).toBe(true);
      });

      test("the Anthropic route checks its max_tokens too", async () => {
        const r = await raw(gw, "/v1/messages", `{"model":"a","max_tokens":-1e400,"messages":[{"role":"user","content":"x"}]}`);
        expect(r.status).toBe(400);
        expect(((await r.json()) as any).error.type).toBe("invalid_request_error");
      });
    });
  }
});
