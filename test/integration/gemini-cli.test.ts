// The real Gemini CLI (0.61.0) through the gateway: on the built-in mock (examples/config-mock.yaml, no key, no
// network), and on a scripted chat backend that drives one tool loop: the CLI writes hello.txt with its own
// write_file tool, the result goes back paired to the call's id, and the CLI's token stats are the backend's.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { runGeminiCli } from "../helpers/gemini-cli";
import { startMockUpstream } from "../helpers/mock-upstream";

const chunk = (delta: object, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: "chatcmpl-g", object: "chat.completion.chunk", created: 1, model: "up", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
const usage = (prompt: number, completion: number) =>
  `data: ${JSON.stringify({ id: "chatcmpl-g", object: "chat.completion.chunk", created: 1, model: "up", choices: [], usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion } })}\n\n`;

let upstream: ReturnType<typeof startMockUpstream>;
let gw: TestGateway;
let mock: TestGateway;

beforeAll(() => {
  upstream = startMockUpstream((_req, json) => {
    const done = (json?.messages ?? []).some((m: any) => m.role === "tool");
    if (done) return { chunks: [chunk({ role: "assistant", content: "Created hello.txt." }), chunk({}, "stop"), usage(1200, 5), "data: [DONE]\n\n"] };
    const call = {
      index: 0,
      id: "call_write_1",
      type: "function",
      function: { name: "write_file", arguments: JSON.stringify({ file_path: "hello.txt", content: "hi\n" }) },
    };
    return { chunks: [chunk({ role: "assistant", content: null, tool_calls: [call] }), chunk({}, "tool_calls"), usage(1000, 20), "data: [DONE]\n\n"] };
  });
  gw = startGateway(`
backends:
  chat: { base_url: "${upstream.url}", api: openai-chat, api_key: sk-up }
models:
  gemini-*: { backends: { "default:1": { use: chat } } }
`);
  mock = startGateway(readFileSync(resolve(import.meta.dir, "../../examples/config-mock.yaml"), "utf8"));
});

afterAll(() => {
  gw.stop();
  mock.stop();
  upstream.stop();
});

test("Gemini CLI on the mock example answers offline, with its default model (its router asks for JSON first)", async () => {
  const r = await runGeminiCli(mock.url, undefined, "say hi");
  expect(r.code).toBe(0);
  expect(r.json?.response).toContain("Hello from OctoLLM");
  const models = r.json?.stats.models ?? {};
  expect(Object.keys(models).length).toBe(2); // the router's call and the main turn, each once: no retries
  for (const m of Object.values(models) as any[]) expect([m.api.totalRequests, m.api.totalErrors]).toEqual([1, 0]);
}, 120_000);

test("Gemini CLI writes a file through a tool loop on a chat backend; ids pair, usage is the backend's", async () => {
  const before = upstream.seen.length;
  const r = await runGeminiCli(gw.url, "gemini-3.1-pro-preview", "Create hello.txt containing hi", ["--yolo"]);
  expect(r.code).toBe(0);
  expect(r.json?.response).toBe("Created hello.txt.");
  expect(existsSync(join(r.work, "hello.txt"))).toBe(true);
  expect(readFileSync(join(r.work, "hello.txt"), "utf8")).toBe("hi\n");
  const sent = upstream.seen.slice(before).map((s) => JSON.parse(new TextDecoder().decode(s.body)));
  expect(sent.length).toBe(2); // -m names the model: no router call
  expect(sent[0].tools.map((t: any) => t.function.name)).toContain("write_file");
  expect(sent[0].messages[0].role).toBe("system");
  const second = sent[1].messages;
  const assistant = second.find((m: any) => m.role === "assistant");
  expect(assistant.tool_calls[0]).toMatchObject({ id: "call_write_1", function: { name: "write_file" } });
  const result = second.find((m: any) => m.role === "tool");
  expect(result.tool_call_id).toBe("call_write_1");
  const tokens = r.json?.stats.models["gemini-3.1-pro-preview"].tokens;
  expect([tokens.prompt, tokens.candidates]).toEqual([1000 + 1200, 20 + 5]); // the CLI sums each answer's usageMetadata: the backend's own counts
}, 120_000);

test("an org over its daily budget: the CLI gets RESOURCE_EXHAUSTED with a BudgetPerDay quota, makes exactly one request and stops", async () => {
  const broke = startGateway(`
backends:
  chat: { base_url: "${upstream.url}", api: openai-chat, api_key: sk-up, price: { input: 1000, output: 1000 } }
models:
  gemini-*: { backends: { "default:1": { use: chat } } }
orgs:
  acme:
    api_keys: { dev: sk-gemini-dev-0001 }
    budgets: { usd_per_day: 0.01 }
    models: { "gemini-*": }
`);
  try {
    const before = upstream.seen.length;
    const r = await runGeminiCli(broke.url, "gemini-3.1-pro-preview", "say hi", [], "sk-gemini-dev-0001");
    expect(r.code).toBe(173); // the CLI's exit for a quota it will not retry
    expect(upstream.seen.length).toBe(before); // refused before any upstream call
    const calls = broke.logs.filter((l) => l.msg === "access" && String(l.path).includes(":streamGenerateContent"));
    expect(calls.map((l) => [l.status, l.org])).toEqual([[429, "acme"]]); // one request: no retry of a budget
    expect(`${r.out}${r.err}`).toContain("You have exhausted your daily quota on this model."); // what it read from the BudgetPerDay quota
  } finally {
    broke.stop();
  }
}, 120_000);

test("a key at its concurrency limit: the CLI gets RESOURCE_EXHAUSTED with a 1 s RetryInfo, waits at least that (its own backoff is longer), retries and succeeds", async () => {
  let first = true;
  const slow = startMockUpstream(() => {
    const script = {
      headerDelayMs: first ? 5000 : 0,
      chunks: [chunk({ role: "assistant", content: "Hello after the wait." }), chunk({}, "stop"), usage(10, 4), "data: [DONE]\n\n"],
    };
    first = false;
    return script;
  });
  const busy = startGateway(`
backends:
  chat: { base_url: "${slow.url}", api: openai-chat }
models:
  gemini-*: { backends: { "default:1": { use: chat } } }
orgs:
  acme:
    api_keys: { dev: sk-gemini-dev-0002 }
    key_limits: { concurrency: 1 }
    models: { "gemini-*": }
`);
  try {
    const url = `${busy.url}/v1beta/models/gemini-3-flash-preview:streamGenerateContent?alt=sse`;
    const holder = fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-goog-api-key": "sk-gemini-dev-0002" },
      body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "hold the slot" }] }] }),
    }).then((r) => r.text());
    const r = await runGeminiCli(busy.url, "gemini-3.1-pro-preview", "say hi", [], "sk-gemini-dev-0002", { maxAttempts: 10 });
    await holder;
    expect({ code: r.code, err: r.code === 0 ? "" : r.err.slice(-1500) }).toEqual({ code: 0, err: "" });
    expect(r.json?.response).toBe("Hello after the wait.");
    const cli = busy.logs.filter((l) => l.msg === "access" && String(l.path).includes("gemini-3.1-pro-preview"));
    const statuses = cli.map((l) => l.status);
    expect(statuses.at(-1)).toBe(200);
    expect(statuses.slice(0, -1).length).toBeGreaterThan(0); // refused while the slot was held
    expect(statuses.slice(0, -1).every((s) => s === 429)).toBe(true);
    const times = cli.map((l) => Date.parse(l.ts));
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(900); // the RetryInfo wait, each time
  } finally {
    busy.stop();
    slow.stop();
  }
}, 120_000);
