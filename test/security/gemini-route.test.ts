// Money and bounds on the Gemini surface: token fields checked at the edge in Google's shape, the exact usage
// charged for whole and streamed answers, a reservation past the budget refused before the upstream is asked
// (as a daily quota Gemini CLI does not retry), and countTokens free.
import { afterAll, expect, test } from "bun:test";
import { createLoggedGateway } from "../helpers/gateway";
import { startMockUpstream } from "../helpers/mock-upstream";

const completion = JSON.stringify({
  id: "c1",
  object: "chat.completion",
  created: 1,
  model: "up",
  choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }],
  usage: { prompt_tokens: 100_000, completion_tokens: 10_000, total_tokens: 110_000 },
});
const chunks = [
  `data: {"id":"c2","object":"chat.completion.chunk","created":1,"model":"up","choices":[{"index":0,"delta":{"role":"assistant","content":"ok"},"finish_reason":null}]}\n\n`,
  `data: {"id":"c2","object":"chat.completion.chunk","created":1,"model":"up","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n`,
  `data: {"id":"c2","object":"chat.completion.chunk","created":1,"model":"up","choices":[],"usage":{"prompt_tokens":100000,"completion_tokens":10000,"total_tokens":110000}}\n\n`,
  "data: [DONE]\n\n",
];
const upstream = startMockUpstream((_req, json) => (json?.stream ? { chunks } : { body: completion }));
afterAll(() => upstream.stop());

const { gw, lines } = await createLoggedGateway(`
backends:
  paid: { base_url: "${upstream.url}", api: openai-chat, price: { input: 1, output: 10 } }
models:
  gemini-paid: { backends: { "default:1": { use: paid } } }
orgs:
  acme:
    api_keys: { alice: key-acme-alice }
    budgets: { usd_per_day: 1 }
    models: { gemini-paid: }
`);
afterAll(() => gw.shutdown());

const call = async (method: string, body: object) => {
  const r = await gw.fetch(
    new Request(`http://gw/v1beta/models/gemini-paid:${method}`, {
      method: "POST",
      headers: { "x-goog-api-key": "key-acme-alice" },
      body: JSON.stringify(body),
    }),
  );
  const text = await r.text();
  await Bun.sleep(5);
  gw.accessLog.flush();
  return { status: r.status, text, line: lines.filter((l) => l.msg === "access").at(-1) };
};
const hi = { contents: [{ role: "user", parts: [{ text: "hi" }] }] };

test("token fields out of bounds are a 400 INVALID_ARGUMENT naming the field; the upstream is not asked", async () => {
  const before = upstream.seen.length;
  for (const g of [
    { maxOutputTokens: -1 },
    { maxOutputTokens: 1.5 },
    { maxOutputTokens: 1e20 },
    { candidateCount: 0 },
    { thinkingConfig: { thinkingBudget: -2 } },
  ]) {
    const r = await call("generateContent", { ...hi, generationConfig: g });
    expect(r.status).toBe(400);
    const err = JSON.parse(r.text).error;
    expect(err.status).toBe("INVALID_ARGUMENT");
    expect(err.message).toContain(`generationConfig.${Object.keys(g)[0]}`);
  }
  expect(upstream.seen.length).toBe(before);
});

test("whole and streamed answers are charged their own usage", async () => {
  const whole = await call("generateContent", hi);
  expect(whole.status).toBe(200);
  expect(whole.line.cost_usd).toBeCloseTo(0.2, 9);
  const streamed = await call("streamGenerateContent?alt=sse", hi);
  expect(streamed.status).toBe(200);
  expect(streamed.line.cost_usd).toBeCloseTo(0.2, 9);
  expect(streamed.line.usage_estimated).toBeUndefined();
});

test("countTokens of a large prompt reserves and costs nothing", async () => {
  const big = { contents: [{ role: "user", parts: [{ text: "word ".repeat(200_000) }] }] };
  const r = await call("countTokens", big);
  expect(r.status).toBe(200);
  expect(JSON.parse(r.text).totalTokens).toBeGreaterThan(100_000);
  expect(r.line.cost_usd).toBeUndefined();
});

test("an output cap the budget cannot cover is refused before the upstream, as a daily quota", async () => {
  const before = upstream.seen.length;
  const r = await call("generateContent", { ...hi, generationConfig: { maxOutputTokens: 200_000 } }); // $2 of output at $10/M
  expect(r.status).toBe(429);
  const err = JSON.parse(r.text).error;
  expect(err.status).toBe("RESOURCE_EXHAUSTED");
  const quota = err.details.find((d: any) => d["@type"].endsWith("QuotaFailure"));
  expect(quota.violations[0].quotaId).toContain("PerDay"); // Gemini CLI stops instead of retrying ten times
  expect(upstream.seen.length).toBe(before);
});

test("a model name that would point the operator's key at another upstream URL is refused, on every client API", async () => {
  const hits: string[] = [];
  const google = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (r) => {
      hits.push(new URL(r.url).pathname);
      return new Response("{}");
    },
  });
  const { gw: g } = await createLoggedGateway(`
backends:
  google: { base_url: "http://127.0.0.1:${google.port}", api: google-gemini, api_key: sk-operator }
models:
  "claude-*": { backends: { "default:1": { use: google } } }
  "gemini-*": { backends: { "default:1": { use: google } } }
`);
  try {
    const anthropic = await g.fetch(
      new Request("http://gw/v1/messages", {
        method: "POST",
        headers: { "anthropic-version": "2023-06-01" },
        body: JSON.stringify({ model: "claude-x/../../../v1beta/files", max_tokens: 10, messages: [{ role: "user", content: "hi" }] }),
      }),
    );
    expect(anthropic.status).toBe(400);
    for (const name of ["gemini-x%2F..%2F..%2Ffiles", "gemini-x%3Fkey%3Dsteal", "gemini-x%23frag"]) {
      const r = await g.fetch(new Request(`http://gw/v1beta/models/${name}:generateContent`, { method: "POST", body: JSON.stringify(hi) }));
      expect(r.status).toBe(400);
      expect(((await r.json()) as any).error.status).toBe("INVALID_ARGUMENT");
    }
    expect(hits).toEqual([]);
  } finally {
    await g.shutdown();
    google.stop(true);
  }
});
