// Session affinity (#14.4): one session stays on one backend while it is healthy, weights hold across sessions,
// and a session fails over like any request when its backend does not answer.
import { describe, expect, test } from "bun:test";
import { LazyBody, engineFn, newRequestContext, type LLMRequest } from "../../src/core";
import { BalancerEngine, rendezvousOrder, sessionKeyOf, type Backend } from "../../src/engines";
import { llmRequest } from "../helpers/requests";

const backend = (name: string, fail = false): Backend => ({
  name,
  engine: engineFn(async () => {
    if (fail) return { status: 503, headers: new Headers(), body: LazyBody.fromValue({ error: "down" }) };
    return { status: 200, headers: new Headers(), body: LazyBody.fromValue({ ok: name }) };
  }),
});
const withSession = (id: string): LLMRequest => ({
  ...llmRequest({ format: "anthropic.messages", body: { model: "m", messages: [] } }),
  headers: new Headers({ "x-claude-code-session-id": id }),
  ctx: newRequestContext("r", 0),
});

describe("session keys", () => {
  test("the Claude Code header, else metadata.user_id, else prompt_cache_key or user", () => {
    const req = (headers: Record<string, string>, body: object) => ({ ...llmRequest({ format: "openai.chat", body }), headers: new Headers(headers) });
    expect(sessionKeyOf(req({ "x-claude-code-session-id": "s1" }, { metadata: { user_id: "u" } }))).toBe("s1");
    expect(sessionKeyOf(req({}, { metadata: { user_id: "u" } }))).toBe("u");
    expect(sessionKeyOf(req({}, { prompt_cache_key: "p", user: "x" }))).toBe("p");
    expect(sessionKeyOf(req({}, { user: "x" }))).toBe("x");
    expect(sessionKeyOf(req({}, { metadata: "not an object", user: 5 }))).toBeUndefined();
  });
});

describe("rendezvous order", () => {
  test("1000 sessions on weights 3:1 land within ±5 % of 750/250", () => {
    const items = [
      { item: "a", name: "default:3", weight: 3 },
      { item: "b", name: "default:1", weight: 1 },
    ];
    let a = 0;
    for (let i = 0; i < 1000; i++) if (rendezvousOrder(`session-${i}`, items)[0] === "a") a++;
    expect(Math.abs(a - 750)).toBeLessThanOrEqual(37);
  });
  test("removing a backend moves only the sessions that were on it", () => {
    const three = ["a", "b", "c"].map((n) => ({ item: n, name: n, weight: 1 }));
    const two = three.filter((x) => x.item !== "c");
    for (let i = 0; i < 300; i++) {
      const before = rendezvousOrder(`s${i}`, three)[0];
      if (before !== "c") expect(rendezvousOrder(`s${i}`, two)[0]).toBe(before!);
    }
  });
});

describe("BalancerEngine with affinity", () => {
  test("one session's 20 requests all go to one backend; sessions spread by weight", async () => {
    const balancer = new BalancerEngine(
      [
        { backend: backend("default:3"), weight: 3 },
        { backend: backend("default:1"), weight: 1 },
      ],
      {},
      sessionKeyOf,
    );
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const req = withSession("one-session");
      await balancer.process(req);
      seen.add(req.ctx.upstream.backend!);
    }
    expect(seen.size).toBe(1);
    const counts: Record<string, number> = {};
    for (let i = 0; i < 1000; i++) {
      const req = withSession(`sess-${i}`);
      await balancer.process(req);
      counts[req.ctx.upstream.backend!] = (counts[req.ctx.upstream.backend!] ?? 0) + 1;
    }
    expect(Math.abs(counts["default:3"]! - 750)).toBeLessThanOrEqual(37);
  });
  test("a session whose backend is down fails over, and comes back once it is healthy", async () => {
    let down = true;
    const flaky: Backend = {
      name: "flaky",
      engine: engineFn(async () => ({ status: down ? 503 : 200, headers: new Headers(), body: LazyBody.fromValue({}) })),
    };
    const steady = backend("steady");
    const balancer = new BalancerEngine(
      [
        { backend: flaky, weight: 1 },
        { backend: steady, weight: 1 },
      ],
      {},
      sessionKeyOf,
    );
    // a session that ranks the flaky backend first
    const id = Array.from({ length: 100 }, (_, i) => `s${i}`).find(
      (s) =>
        rendezvousOrder(s, [
          { item: "flaky", name: "flaky", weight: 1 },
          { item: "steady", name: "steady", weight: 1 },
        ])[0] === "flaky",
    )!;
    const first = withSession(id);
    expect((await balancer.process(first)).status).toBe(200);
    expect([first.ctx.upstream.backend, first.ctx.upstream.attempts]).toEqual(["steady", 2]);
    down = false;
    const later = withSession(id);
    await balancer.process(later);
    expect(later.ctx.upstream.backend).toBe("flaky");
  });
  test("requests without a session are round-robin as before", async () => {
    const balancer = new BalancerEngine(
      [
        { backend: backend("x"), weight: 1 },
        { backend: backend("y"), weight: 1 },
      ],
      {},
      sessionKeyOf,
    );
    const names: string[] = [];
    for (let i = 0; i < 4; i++) {
      const req = llmRequest({ format: "openai.chat", body: { model: "m", messages: [] } });
      await balancer.process(req);
      names.push(req.ctx.upstream.backend!);
    }
    expect(names).toEqual(["x", "y", "x", "y"]);
  });
});
