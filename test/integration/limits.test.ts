// Rate limits end to end through the server, on the in-memory store and on the real Redis.
// needs: redis (npm test skips this file when it is not reachable, outside CI)
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomUUID } from "node:crypto";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { startMockUpstream } from "../helpers/mock-upstream";
import { postJson, until } from "../helpers/requests";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
let upstream: ReturnType<typeof startMockUpstream>;
const quiet = console.error;

beforeAll(() => {
  upstream = startMockUpstream((_r, body) =>
    body?.messages?.[0]?.content === "slow" ? { chunks: ['data: {"choices":[{"index":0,"delta":{"content":"x"}}]}\n\n'], hang: true } : {},
  );
  console.error = () => {};
});
afterAll(() => {
  upstream.stop();
  console.error = quiet;
});

const config = (extra = "", server = "") => `
server: { ${server} }
backends:
  up: { base_url: "${upstream.url}" }
models:
  m:
    default_org_limits: { rpm: 50 }
    backends: { "default:1": { use: up } }
  ruled:
    default_rules:
      - name: premium
        match: RawReq.metadata.tier == "premium"
        forward_weights: { fast: 1 }
        rule_limits: { rpm: 2 }
      - name: strict
        match: RawReq.metadata.tier == "strict"
        rule_limits: { rpm: 1, deny_when_exceeding: true }
    backends:
      "default:1": { use: up, extra_headers: { x-route: default } }
      fast: { use: up, extra_headers: { x-route: fast } }
  tokens:
    default_org_limits: { tpm: 3000, concurrency: 2 }
    backends: { "default:1": { use: up } }
users:
  acme:
    api_keys: { alice: key-acme-alice-1 }
    key_limits: { rpm: 3 }
    models:
      m:
${extra}`;

const post = (gw: TestGateway, body: object, headers: Record<string, string> = {}) =>
  postJson(gw.url, "/v1/chat/completions", { messages: [{ role: "user", content: "hi" }], ...body }, { headers });

function suite(name: string, server: string) {
  describe(name, () => {
    let gw: TestGateway;
    beforeAll(() => {
      gw = startGateway(config("", server), { REDIS_URL: server ? REDIS_URL : undefined });
    });
    afterAll(() => gw.stop());

    test("200 parallel requests against rpm 50: exactly 50 admitted; the rest get 429 in both shapes with Retry-After", async () => {
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          i % 2
            ? post(gw, { model: "m" })
            : fetch(`${gw.url}/v1/messages`, {
                method: "POST",
                body: JSON.stringify({ model: "m", max_tokens: 5, messages: [{ role: "user", content: "hi" }] }),
              }),
        ),
      );
      expect(results.filter((r) => r.status === 200).length).toBe(50);
      const refused = results.filter((r) => r.status === 429);
      expect(refused.length).toBe(150);
      const r = refused[0]!;
      expect(Number(r.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(Number(r.headers.get("retry-after-ms"))).toBeGreaterThan(0);
      expect(r.headers.get("x-ratelimit-limit-requests")).toBe("50");
      expect(r.headers.get("x-ratelimit-remaining-requests")).toBe("0");
      const bodies = await Promise.all(refused.map((x) => x.json() as Promise<any>));
      expect(bodies.some((b) => b.type === "error" && b.error.type === "rate_limit_error")).toBe(true);
      expect(bodies.some((b) => b.error?.code === "rate_limit_exceeded" && /try again in \d+s/.test(b.error.message))).toBe(true);
    });
    test("per-key limits: the 4th request of a key within the minute is refused", async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await post(gw, { model: "ruled" }, { authorization: "Bearer key-acme-alice-1" })).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
    });
    test("rule limits: an exhausted rule is skipped and traffic flows to the next; deny_when_exceeding refuses", async () => {
      const routes: string[] = [];
      for (let i = 0; i < 4; i++) {
        const r = await post(gw, { model: "ruled", metadata: { tier: "premium" } });
        expect(r.status).toBe(200);
        routes.push(upstream.seen.at(-1)!.headers["x-route"]!);
      }
      expect(routes).toEqual(["fast", "fast", "default", "default"]);
      expect((await post(gw, { model: "ruled", metadata: { tier: "strict" } })).status).toBe(200);
      expect((await post(gw, { model: "ruled", metadata: { tier: "strict" } })).status).toBe(429);
    });
    test("tpm: streams settle to the real usage, so the budget is not eaten by reservations", async () => {
      // each request reserves its input estimate + 1000 output tokens; the upstream reports 7 tokens used
      for (let i = 0; i < 6; i++) {
        const r = await post(gw, { model: "tokens", stream: true, max_tokens: 1000 });
        expect(r.status).toBe(200);
        await r.text();
        await Bun.sleep(40); // settlements reach Redis in batches, every 25 ms
      }
    });
    test("a concurrency slot is released when the client hangs up", async () => {
      const open = async () => {
        const ctrl = new AbortController();
        const r = await fetch(`${gw.url}/v1/chat/completions`, {
          method: "POST",
          signal: ctrl.signal,
          body: JSON.stringify({ model: "tokens", stream: true, max_tokens: 10, messages: [{ role: "user", content: "slow" }] }),
        });
        expect(r.status).toBe(200);
        await r.body!.getReader().read();
        return ctrl;
      };
      const a = await open();
      const b = await open();
      expect((await post(gw, { model: "tokens", max_tokens: 10 })).status).toBe(429); // 2 in flight
      a.abort();
      b.abort();
      // the slots come back as the aborted answers end
      expect(await until(async () => (await post(gw, { model: "tokens", max_tokens: 10 })).status === 200)).toBe(true);
    });
  });
}

suite("in memory", "");
suite("shared through Redis", `redis_url: "${REDIS_URL}", redis_key_prefix: "octollm-test-${randomUUID()}:"`);

describe("Redis unreachable", () => {
  test("fail-open lets requests through; fail-closed refuses them with 503", async () => {
    const open = startGateway(config("", `redis_url: "redis://127.0.0.1:1"`));
    const closed = startGateway(config("", `redis_url: "redis://127.0.0.1:1", limits_on_store_error: closed`));
    try {
      expect((await post(open, { model: "m" })).status).toBe(200);
      const r = await post(closed, { model: "m" });
      expect(r.status).toBe(503);
      expect(((await r.json()) as any).error.message).toContain("limit store unavailable");
    } finally {
      open.stop();
      closed.stop();
    }
  });
});
