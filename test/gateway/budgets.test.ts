// Spend budgets (#17.3): deny and warn, per org, org × model and API key, per day and in total, settled to the real
// cost; in memory and shared through Redis by two gateways under 200 parallel requests.
// needs: redis (npm test skips this file when it is not reachable, outside CI)
import { afterAll, expect, test } from "bun:test";
import { createLoggedGateway } from "../helpers/gateway";
import { startMockUpstream } from "../helpers/mock-upstream";

// every answer reports 5 tokens in and 1000 out (max_tokens 1000): at $1 / $2 per million, it costs $0.002005;
// each request reserves (its input estimate + 1000) tokens at the highest rate, $2: a little more than that
let failing = false;
const upstream = startMockUpstream(() =>
  failing
    ? { status: 500, body: "boom" }
    : {
        body: JSON.stringify({
          id: "c",
          choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }],
          usage: { prompt_tokens: 5, completion_tokens: 1000 },
        }),
      },
);
afterAll(() => upstream.stop());

const config = (extra = "", server = "") => `
${server}
backends:
  paid: { base_url: "${upstream.url}", api: openai-chat, price: { input: 1, output: 2 } }
models:
  cheap: { backends: { "default:1": { use: paid } } }
  other: { backends: { "default:1": { use: paid } } }
orgs:
  acme:
    api_keys: { alice: key-acme-alice, bob: key-acme-bobby }
    budgets: { usd_per_day: 0.01 }
    models: { cheap: , other: }
  beta:
    api_keys: { carol: key-beta-carol }
    budgets: { usd_per_day: 0.005, on_exceed: warn }
    models: { cheap: , other: }
  gamma:
    api_keys: { dave: key-gamma-dave }
    key_budgets: { usd_total: 0.004 }
    models: { cheap: { budgets: { usd_per_month: 1 } }, other: }
${extra}`;

async function gateway(text: string, env: Record<string, string> = {}) {
  const { gw, lines } = await createLoggedGateway(text, env);
  const ask = async (key: string, model = "cheap", path = "/v1/chat/completions") => {
    const body = { model, max_tokens: 1000, messages: [{ role: "user", content: "hi" }] };
    const r = await gw.fetch(new Request(`http://gw${path}`, { method: "POST", headers: { authorization: `Bearer ${key}` }, body: JSON.stringify(body) }));
    const text = await r.text();
    const json = text.startsWith("{") ? JSON.parse(text) : text;
    await Bun.sleep(2);
    gw.accessLog.flush();
    return { status: r.status, json, headers: r.headers, line: lines.at(-1) };
  };
  return { gw, ask, lines };
}

test("deny: an org's daily budget refuses once spent, in the caller's shape, with the time to the next UTC day; failures are refunded", async () => {
  const { gw, ask } = await gateway(config());
  const statuses: number[] = [(await ask("key-acme-alice")).status];
  failing = true;
  try {
    expect((await ask("key-acme-bobby", "other")).status).toBe(500); // its reservation is given back
  } finally {
    failing = false;
  }
  for (let i = 0; i < 3; i++) statuses.push((await ask("key-acme-alice")).status);
  const refused = await ask("key-acme-bobby", "other"); // the org's budget covers both keys and both models
  expect(statuses).toEqual([200, 200, 200, 200]);
  expect([refused.status, refused.json.error.type, refused.json.error.code]).toEqual([429, "budget_exceeded", "budget_exceeded"]);
  expect(refused.line.rate_limited).toBe("budget");
  const metrics = await (await gw.fetch(new Request("http://gw/metrics"))).text();
  expect(metrics).toContain('octollm_rate_limited_total{model="other",scope="budget"} 1');
  expect(refused.json.error.message).toBe("budget exceeded: org acme has spent $0.0080 of its $0.01 per day");
  expect(refused.headers.get("x-should-retry")).toBe("false"); // the SDKs would wait out the retry-after: hours
  const wait = Number(refused.headers.get("retry-after"));
  expect(wait).toBeGreaterThan(0);
  expect(wait).toBeLessThanOrEqual(86_400);
  const anthropic = await ask("key-acme-alice", "cheap", "/v1/messages");
  expect([anthropic.status, anthropic.json.type, anthropic.json.error.type]).toEqual([429, "error", "budget_exceeded"]);
  await gw.shutdown();
});

test("warn: served past the budget, tagged in the access log", async () => {
  const { gw, ask } = await gateway(config());
  const tags: string[][] = [];
  for (let i = 0; i < 3; i++) {
    const r = await ask("key-beta-carol");
    expect(r.status).toBe(200);
    tags.push(r.line.tags ?? []);
  }
  expect(tags).toEqual([[], [], ["budget exceeded: org beta per day"]]); // $0.004 spent + the third's reservation is past $0.005
  await gw.shutdown();
});

test("a key's total budget: no retry-after, x-should-retry false; the org × model monthly budget counts too", async () => {
  const { gw, ask } = await gateway(config());
  expect((await ask("key-gamma-dave")).status).toBe(200);
  const refused = await ask("key-gamma-dave", "other");
  expect([refused.status, refused.headers.get("retry-after"), refused.headers.get("x-should-retry")]).toEqual([429, null, "false"]);
  expect(refused.json.error.message).toBe("budget exceeded: this API key has spent $0.0020 of its $0.004 in total");
  await gw.shutdown();
});

test("Redis: two gateways share the budget; 200 parallel requests never spend past it", async () => {
  const prefix = `octollm-test-budget-${crypto.randomUUID()}:`;
  const text = config("", `server: { redis_url: "redis://127.0.0.1:6379", redis_key_prefix: "${prefix}" }`).replace(
    "usd_per_day: 0.01 }",
    "usd_per_day: 0.1 }",
  );
  const [a, b] = [await gateway(text), await gateway(text)];
  const results = await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 ? a : b).ask(i % 3 ? "key-acme-alice" : "key-acme-bobby")));
  const served = results.filter((r) => r.status === 200).length;
  const refused = results.filter((r) => r.status === 429).length;
  expect(served + refused).toBe(200);
  const spent = [...a.lines, ...b.lines].reduce((s, l) => s + (l.cost_usd ?? 0), 0);
  expect(spent).toBeLessThanOrEqual(0.1 + 1e-9); // reservations are taken atomically before any upstream call: no overshoot
  expect(served).toBeGreaterThanOrEqual(40); // about $0.1 / $0.002 fit; a reservation never under-counts here, so nothing overshoots
  await a.gw.shutdown();
  await b.gw.shutdown();
});

test("no path skips a budget: pass-through, converted, streamed, failed over; a rule's denial and a failure cost nothing", async () => {
  const d = (o: object) => `data: ${JSON.stringify(o)}\n\n`;
  const streamed = startMockUpstream((_req, json) =>
    json?.stream
      ? {
          chunks: [
            d({ id: "c", choices: [{ index: 0, delta: { content: "ok" }, finish_reason: "stop" }] }),
            d({ id: "c", choices: [], usage: { prompt_tokens: 5, completion_tokens: 1000 } }),
            "data: [DONE]\n\n",
          ],
        }
      : {
          body: JSON.stringify({
            id: "c",
            choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }],
            usage: { prompt_tokens: 5, completion_tokens: 1000 },
          }),
        },
  );
  try {
    const { gw, lines } = await createLoggedGateway(`
backends:
  paid: { base_url: "${streamed.url}", api: openai-chat, price: { input: 1, output: 2 } }
  dead: { base_url: "http://127.0.0.1:9", api: openai-chat, price: { input: 1, output: 2 }, connect_timeout_ms: 500 }
models:
  m:
    default_rules: [{ name: nope, match: 'RawReq.metadata.deny == "yes"', deny: { reason_text: "denied", http_status_code: 403 } }]
    backends: { "default:1": { use: paid } }
  failover: { backends: { "default:100": { use: dead }, "default:1": { use: paid } } }
orgs:
  acme: { api_keys: { alice: key-acme-alice }, budgets: { usd_total: 0.0101 }, models: { m: , failover: } }
`);
    const call = async (path: string, body: object) => {
      const r = await gw.fetch(
        new Request(`http://gw${path}`, {
          method: "POST",
          headers: { authorization: "Bearer key-acme-alice" },
          body: JSON.stringify({ max_tokens: 1000, messages: [{ role: "user", content: "hi" }], ...body }),
        }),
      );
      await r.text();
      await Bun.sleep(5);
      return r.status;
    };
    const statuses = [
      await call("/v1/chat/completions", { model: "m" }), // pass-through
      await call("/v1/chat/completions", { model: "m", metadata: { deny: "yes" } }), // a rule denies: nothing taken
      await call("/v1/messages", { model: "m" }), // converted
      await call("/v1/messages", { model: "m", stream: true }), // converted stream
      await call("/v1/chat/completions", { model: "failover" }), // the first backend is down; the second serves
      await call("/v1/chat/completions", { model: "m", stream: true }), // pass-through stream
      await call("/v1/chat/completions", { model: "m" }), // $0.010025 spent: this one's reservation does not fit
    ];
    expect(statuses).toEqual([200, 403, 200, 200, 200, 200, 429]);
    gw.accessLog.flush();
    const costs = lines.filter((l) => l.status === 200).map((l) => l.cost_usd);
    expect(costs).toEqual([0.002005, 0.002005, 0.002005, 0.002005, 0.002005]);
    await gw.shutdown();
  } finally {
    streamed.stop();
  }
});

test("windows: a day's and a month's budget start over at the UTC day and month; the total never does", async () => {
  const { setSystemTime } = await import("bun:test");
  const { Budgets, MemoryLimitStore } = await import("../../src/engines");
  const store = new MemoryLimitStore();
  const budgets = new Budgets(store);
  const scope = (key: string, budget: object) => ({ key, label: key, budget: { onExceed: "deny" as const, ...budget } });
  const day = [scope("d", { usdPerDay: 1 })];
  const month = [scope("m", { usdPerMonth: 1 })];
  const total = [scope("t", { usdTotal: 1 })];
  try {
    setSystemTime(new Date("2026-01-31T23:59:00Z"));
    for (const s of [day, month, total]) {
      await budgets.admit(s, 1); // spends the whole amount
      const refused = await budgets.admit(s, 0.01).catch((e) => e);
      expect(refused.type).toBe("budget_exceeded");
    }
    expect((await budgets.admit(day, 0.01).catch((e) => e)).headers["retry-after"]).toBe("60"); // a minute to midnight
    setSystemTime(new Date("2026-02-01T00:00:30Z"));
    expect((await budgets.admit(day, 0.5)).over).toEqual([]);
    expect((await budgets.admit(month, 0.5)).over).toEqual([]);
    expect((await budgets.admit(total, 0.01).catch((e) => e)).headers["x-should-retry"]).toBe("false");
  } finally {
    setSystemTime();
    store.close();
  }
});

/** A gateway with one model on a $1 / $2 backend at `url`, and org acme's $1 total budget. */
const paidGateway = (url: string) =>
  createLoggedGateway(`
backends:
  paid: { base_url: "${url}", api: openai-chat, price: { input: 1, output: 2 } }
models:
  m: { backends: { "default:1": { use: paid } } }
orgs:
  acme: { api_keys: { alice: key-acme-alice }, budgets: { usd_total: 1 }, models: { m: } }
`);

/** What org acme's budget has spent, as its key reads it. */
async function budgetSpent(gw: { fetch(r: Request): Promise<Response> }): Promise<number> {
  const r = await gw.fetch(new Request("http://gw/v1/usage", { headers: { authorization: "Bearer key-acme-alice" } }));
  return ((await r.json()) as any).budgets[0].spent;
}

test("a stream the client hangs up on costs what was generated: estimated, logged as such, and charged to the budget instead of its reservation", async () => {
  const d = (o: object) => `data: ${JSON.stringify(o)}\n\n`;
  const words = Array.from({ length: 60 }, (_, i) => `w${String(i).padStart(3, "0")} `); // 5 characters each
  const slow = startMockUpstream(() => ({ chunks: words.map((w) => d({ id: "c", choices: [{ index: 0, delta: { content: w } }] })), delayMs: 15 }));
  const { gw, lines } = await paidGateway(slow.url);
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (r) => gw.fetch(r) });
  try {
    for (const [path, body] of [
      ["/v1/chat/completions", { messages: [{ role: "user", content: "hi" }] }], // pass-through
      ["/v1/messages", { messages: [{ role: "user", content: "hi" }] }], // converted
      ["/v1/responses", { input: "hi" }], // converted to Responses
    ] as const) {
      const ac = new AbortController();
      const r = await fetch(`http://127.0.0.1:${server.port}${path}`, {
        method: "POST",
        headers: { authorization: "Bearer key-acme-alice" },
        body: JSON.stringify({ model: "m", max_tokens: 30_000, stream: true, ...body }),
        signal: ac.signal,
      });
      const reader = r.body!.getReader();
      for (let seen = ""; !seen.includes("w010"); ) seen += new TextDecoder().decode((await reader.read()).value);
      ac.abort(); // about 11 of the 60 words sent
      await Bun.sleep(150);
    }
    gw.accessLog.flush();
    const cut = lines.filter((l) => l.outcome === "client_closed");
    expect(cut.map((l) => l.usage_estimated)).toEqual([true, true, true]);
    for (const l of cut) {
      expect(l.tokens_out).toBeGreaterThanOrEqual(10); // 11 words of 5 characters: at least 13 tokens, bounded by what the gateway had read ahead
      expect(l.tokens_out).toBeLessThan(60);
      expect(l.cost_usd).toBeCloseTo((l.tokens_in * 1 + l.tokens_out * 2) / 1e6, 12);
    }
    const logged = cut.reduce((s, l) => s + l.cost_usd, 0);
    expect(await budgetSpent(gw)).toBeCloseTo(logged, 5); // settled to the estimate, not kept at 30 000 tokens' reservation each
  } finally {
    server.stop(true);
    await gw.shutdown();
    slow.stop();
  }
});

test("moderation: a refused input costs nothing; a stream closed for flagged output costs what was generated, not its reservation", async () => {
  const { startMockModeration } = await import("../helpers/mock-moderation");
  const mod = startMockModeration();
  const d = (o: object) => `data: ${JSON.stringify(o)}\n\n`;
  const text = ["The first part is fine. ", "and more fine words here. ", "then FORBIDDEN things ", "and the rest. "];
  const up = startMockUpstream(() => ({
    chunks: [...text.map((t) => d({ id: "c", choices: [{ index: 0, delta: { content: t } }] })), "data: [DONE]\n\n"],
    delayMs: 10,
  }));
  const { gw, lines } = await createLoggedGateway(`
backends:
  paid: { base_url: "${up.url}", api: openai-chat, price: { input: 1, output: 2 } }
models:
  m:
    moderation: { url: "${mod.url}/v1/moderations", provider: openai, api_key: sk-mod, window_chars: 20, timeout_ms: 300 }
    backends: { "default:1": { use: paid } }
orgs:
  acme: { api_keys: { alice: key-acme-alice }, budgets: { usd_total: 1 }, models: { m: } }
`);
  const ask = async (content: string) => {
    const r = await gw.fetch(
      new Request("http://gw/v1/chat/completions", {
        method: "POST",
        headers: { authorization: "Bearer key-acme-alice" },
        body: JSON.stringify({ model: "m", max_tokens: 30_000, stream: true, messages: [{ role: "user", content }] }),
      }),
    );
    await r.text();
    await Bun.sleep(50);
    gw.accessLog.flush();
    return { status: r.status, line: lines.at(-1) };
  };
  const spent = () => budgetSpent(gw);
  try {
    const refused = await ask("say FORBIDDEN things");
    expect(refused.status).toBe(400);
    expect(await spent()).toBe(0);
    const flagged = await ask("hi");
    expect(flagged.status).toBe(200);
    expect(flagged.line.tokens_out).toBeGreaterThan(0);
    expect(flagged.line.cost_usd).toBeGreaterThan(0);
    expect(await spent()).toBeCloseTo(flagged.line.cost_usd, 6); // not 30 000 output tokens' reservation
  } finally {
    await gw.shutdown();
    up.stop();
    mod.stop();
  }
});

test("a chat stream that never tells its usage (the client did not ask for it) is costed from its text, flagged as estimated", async () => {
  const d = (o: object) => `data: ${JSON.stringify(o)}\n\n`;
  const words = Array.from({ length: 40 }, (_, i) => `w${String(i).padStart(3, "0")} `); // 200 characters: 50 tokens
  const up = startMockUpstream(() => ({ chunks: [...words.map((w) => d({ id: "c", choices: [{ index: 0, delta: { content: w } }] })), "data: [DONE]\n\n"] }));
  const { gw, lines } = await paidGateway(up.url);
  try {
    const r = await gw.fetch(
      new Request("http://gw/v1/chat/completions", {
        method: "POST",
        headers: { authorization: "Bearer key-acme-alice" },
        body: JSON.stringify({
          model: "m",
          max_tokens: 30_000,
          stream: true,
          messages: [{ role: "user", content: "a question of forty characters or so..." }],
        }),
      }),
    );
    expect(await r.text()).not.toContain('"usage"'); // the client's stream is what the upstream sent
    await Bun.sleep(20);
    gw.accessLog.flush();
    const line = lines.at(-1);
    expect([line.outcome, line.usage_estimated, line.tokens_out]).toEqual(["ok", true, 50]);
    expect(line.tokens_in).toBeGreaterThan(10);
    expect(await budgetSpent(gw)).toBeCloseTo(line.cost_usd, 6);
  } finally {
    await gw.shutdown();
    up.stop();
  }
});

test("the official SDKs get the refusal at once: one attempt, no retry (they would sleep for the whole retry-after)", async () => {
  const { default: Anthropic } = await import("@anthropic-ai/sdk");
  const { default: OpenAI } = await import("openai");
  const { gw } = await gateway(config().replace("budgets: { usd_per_day: 0.01 }", "budgets: { usd_per_day: 0.000001 }"));
  let attempts = 0;
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (r) => {
      attempts++;
      return gw.fetch(r);
    },
  });
  try {
    const base = `http://127.0.0.1:${server.port}`;
    const claude = new Anthropic({ baseURL: base, apiKey: "key-acme-alice", maxRetries: 3 });
    const err = await claude.messages.create({ model: "cheap", max_tokens: 1000, messages: [{ role: "user", content: "hi" }] }).catch((e) => e);
    expect([err.status, err.error?.error?.type, attempts]).toEqual([429, "budget_exceeded", 1]);
    const openai = new OpenAI({ baseURL: `${base}/v1`, apiKey: "key-acme-alice", maxRetries: 3 });
    const err2 = await openai.chat.completions.create({ model: "cheap", max_tokens: 1000, messages: [{ role: "user", content: "hi" }] }).catch((e) => e);
    expect([err2.status, err2.type, attempts]).toEqual([429, "budget_exceeded", 2]);
  } finally {
    server.stop(true);
    await gw.shutdown();
  }
});
