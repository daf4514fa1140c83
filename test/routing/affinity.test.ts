// Session affinity (#14.4): one session stays on one backend while it is healthy, weights hold across sessions,
// and a session fails over like any request when its backend does not answer.
import { describe, expect, test } from "bun:test";
import { LazyBody, engineFn, newRequestContext, type LLMRequest } from "../../src/core";
import { BalancerEngine, parseSessionSource, rendezvousOrder, sessionKeyOf, type Backend } from "../../src/engines";
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

describe("session keys for every agent", () => {
  const r = (headers: Record<string, string>, body: object = {}) => ({ ...llmRequest({ format: "openai.chat", body }), headers: new Headers(headers) });
  test("Codex's session and thread headers, Gemini CLI's user header, before the body's fields", () => {
    expect(sessionKeyOf(r({ "session-id": "019a-thread", "thread-id": "t2" }, { prompt_cache_key: "p" }))).toBe("019a-thread");
    expect(sessionKeyOf(r({ session_id: "older-codex" }, { prompt_cache_key: "p" }))).toBe("older-codex");
    expect(sessionKeyOf(r({ "x-opencode-session": "ses_opencode" }, { user: "u" }))).toBe("ses_opencode");
    expect(sessionKeyOf(r({ "thread-id": "t2" }))).toBe("t2");
    expect(sessionKeyOf(r({ "x-gemini-api-privileged-user-id": "g-user" }, { user: "x" }))).toBe("g-user");
    expect(sessionKeyOf(r({ "x-claude-code-session-id": "cc", "session-id": "cx" }))).toBe("cc");
  });

  test("configured sources: headers and dotted body paths, in order; numbers, objects and empty strings name no session", () => {
    const sources = ["header:X-My-Session", "field:metadata.session.id", "field:conversation"].map((s) => parseSessionSource(s)!);
    expect(sessionKeyOf(r({ "x-my-session": "h1" }, { conversation: "c" }), sources)).toBe("h1");
    expect(sessionKeyOf(r({}, { metadata: { session: { id: "s-42" } }, conversation: "c" }), sources)).toBe("s-42");
    expect(sessionKeyOf(r({}, { metadata: { session: { id: 42 } }, conversation: "c" }), sources)).toBe("c");
    expect(sessionKeyOf(r({}, { metadata: { session: { id: {} } }, conversation: "c" }), sources)).toBe("c");
    expect(sessionKeyOf(r({ "x-claude-code-session-id": "cc" }, { conversation: "" }), sources)).toBeUndefined(); // only what is configured
    expect(sessionKeyOf(r({}, { conversation: "x".repeat(1000) }), sources)).toHaveLength(256);
    for (const bad of ["", "header:", "field:", "field:a..b", "header:bad name", "cookie:x", "x-session"]) expect(parseSessionSource(bad)).toBeUndefined();
  });
});

test("affinity_keys in the config: validated, and read by the model's balancer", async () => {
  const { loadConfigText, buildGateway } = await import("../../src/config");
  const yaml = (keys: string) =>
    `models:\n  m:\n    affinity: session\n    affinity_keys: ${keys}\n    backends:\n      "default:1": { provider: mock }\n      "default:1:b": { provider: mock }\n`;
  const bad = loadConfigText(yaml('["cookie:x"]'), {});
  expect(bad.ok ? [] : bad.problems.map((p) => p.message)).toContain("must be header:<name> or field:<path> (dots between keys)");
  const ok = loadConfigText(yaml('["header:x-conv"]'), {});
  expect(ok.ok).toBe(true);
  if (!ok.ok) return;
  const gw = buildGateway(ok.config, {});
  const servedBy = async (headers: Record<string, string>) => {
    const served = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const ctx = newRequestContext(`r${i}`, 0);
      await gw.root.process({
        ...llmRequest({ format: "openai.chat", body: { model: "m", messages: [{ role: "user", content: "hi" }] } }),
        headers: new Headers(headers),
        ctx,
      });
      served.add(String(ctx.upstream.backend));
    }
    return served;
  };
  const one = await servedBy({ "x-conv": "conv-7" });
  expect(one.size).toBe(1); // one session, one backend
  expect(["default:1", "default:1:b"]).toContain([...one][0]!);
  expect((await servedBy({ "x-claude-code-session-id": "cc" })).size).toBe(2); // not a configured source: round-robin
});

test("the access line's session: Claude Code's header, else Codex's session-id or thread-id", async () => {
  const { startGateway } = await import("../helpers/gateway");
  const gw = startGateway(`models:\n  m: { backends: { "default:1": { provider: mock } } }\n`);
  try {
    const send = (headers: Record<string, string>) =>
      fetch(`${gw.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] }),
      }).then((r) => r.text());
    await send({ "x-claude-code-session-id": "cc-1", "session-id": "cx-1" });
    await send({ "thread-id": "cx-thread-2" });
    await send({});
    expect(gw.logs.filter((l) => l.msg === "access").map((l) => l.session)).toEqual(["cc-1", "cx-thread-2", undefined]);
  } finally {
    gw.stop();
  }
});
