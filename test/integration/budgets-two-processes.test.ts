// Two gateway processes (the compiled binary) share one org budget through the real Redis, under 200 parallel
// requests: the bound the docs state, tested from the access logs of both, and Redis left holding exactly what
// was spent once both have stopped (their slices given back).
// needs: redis (npm test skips this file when it is not reachable, outside CI)
import { afterAll, expect, test } from "bun:test";
import { RedisClient } from "bun";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildBinary, startBinary } from "../helpers/binary";
import { startMockUpstream } from "../helpers/mock-upstream";
import { postJson } from "../helpers/requests";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const dir = mkdtempSync(join(tmpdir(), "octollm-budgets-"));
// every answer: 5 tokens in, 1000 out; at $1 / $2 per million that is $0.002005
const upstream = startMockUpstream(() => ({
  body: JSON.stringify({
    id: "c",
    choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }],
    usage: { prompt_tokens: 5, completion_tokens: 1000 },
  }),
}));
const redis = new RedisClient(REDIS_URL);
afterAll(() => {
  upstream.stop();
  redis.close();
});

const COST = 0.002005;
const BUDGET = 0.1;

async function run(prefix: string, maxOutputReservation: number) {
  await buildBinary();
  const file = join(dir, `${prefix.replace(/\W/g, "")}.yaml`);
  writeFileSync(
    file,
    `
server: { redis_url: "${REDIS_URL}", redis_key_prefix: "${prefix}", max_output_reservation: ${maxOutputReservation} }
models:
  m: { backends: { "default:1": { base_url: "${upstream.url}", price: { input: 1, output: 2 } } } }
orgs:
  acme:
    api_keys: { alice: key-acme-alice, bob: key-acme-bobby }
    budgets: { usd_total: ${BUDGET} }
    models: { m: }
`,
  );
  const [a, b] = await Promise.all([startBinary(file), startBinary(file)]);
  let statuses: number[];
  try {
    const all = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        postJson(
          i % 2 ? a.url : b.url,
          "/v1/chat/completions",
          { model: "m", max_tokens: 1000, messages: [{ role: "user", content: "hi" }] },
          {
            key: i % 3 ? "key-acme-alice" : "key-acme-bobby",
          },
        ),
      ),
    );
    statuses = all.map((r) => r.status);
  } finally {
    await Promise.all([a.stop(), b.stop()]); // SIGTERM: each gives its slices back before it exits
  }
  const lines = [a, b].flatMap((p) =>
    p
      .stdout()
      .split("\n")
      .filter((l) => l.includes('"msg":"access"'))
      .map((l) => JSON.parse(l)),
  );
  const spent = lines.reduce((s, l) => s + (l.cost_usd ?? 0), 0);
  const counter = Number((await redis.get(`${prefix}budget:org:acme:usd_total:0`)) ?? 0);
  return { served: statuses.filter((s) => s === 200).length, refused: statuses.filter((s) => s === 429).length, lines, spent, counter };
}

test("reservations cover the cost: 200 parallel requests on two processes never spend past the budget, and leave at most a slice and a reservation each unspent", async () => {
  const r = await run(`octollm-test-fleet-${crypto.randomUUID()}:`, 32_000);
  expect(r.served + r.refused).toBe(200);
  expect(r.lines.length).toBe(200);
  expect(r.spent).toBeLessThanOrEqual(BUDGET + 1e-12);
  // each reserves (estimate + 1000) tokens at $2 per million: about $0.00202; a slice is at most 1/64 of the budget
  const reservation = 0.00202;
  expect(r.served).toBeGreaterThanOrEqual(Math.floor((BUDGET - 2 * (BUDGET / 64 + reservation)) / reservation));
  expect(r.counter).toBe(r.served * Math.round(COST * 1e6)); // what Redis holds is exactly what was spent
}, 60_000);

test("#23.11: a small max_output_reservation no longer lets a burst past a deny budget: budgets reserve each request's own max_tokens", async () => {
  const r = await run(`octollm-test-fleet-${crypto.randomUUID()}:`, 100);
  expect(r.served + r.refused).toBe(200);
  // before, each reserved only 100 output tokens ($0.0002) against a cost of $0.002005, and the burst spent past the budget
  expect(r.spent).toBeLessThanOrEqual(BUDGET + 1e-12);
  expect(r.counter).toBe(r.served * Math.round(COST * 1e6));
}, 60_000);
