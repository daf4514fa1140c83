#!/usr/bin/env bun
// What each stage of the team path costs a request, in-process: one gateway per stage, each adding one stage to
// the one before (no access log; the access log; an org key; org and key limits; a price and a daily budget; a
// SQLite usage ledger), all on the built-in mock backend (no network), called through gateway.fetch in a
// sequential loop. Rounds alternate the gateways, so every stage sees the same machine load; the report is the
// median time a request takes on the request thread, and each stage's difference to the one before.
// Usage: bun scripts/bench/stages.ts [--size small|big] [--n 3000] [--rounds 5]
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chatBody } from "./chat-body";
import { loadConfigText } from "../../src/config";
import { createGateway, type Gateway } from "../../src/gateway";

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : dflt;
};
const size = arg("size", "small");
const N = Number(arg("n", "3000"));
const ROUNDS = Number(arg("rounds", "5"));
const dir = mkdtempSync(join(tmpdir(), "octollm-stages-"));
const LOTS = "100000000";

const STAGES: [string, string][] = [
  ["no access log", ""],
  ["access log", ""],
  ["org key", ""],
  ["limits", ""],
  ["price + budget", ""],
  ["ledger (SQLite)", ""],
];
STAGES.forEach((stage, i) => {
  const has = (n: number) => i >= n;
  const org = `orgs:
  acme:
    api_keys: { k1: sk-bench-stage-key }${has(3) ? `\n    key_limits: { rpm: ${LOTS}, tpm: ${LOTS}000 }` : ""}${has(4) ? "\n    budgets: { usd_per_day: 1000000 }" : ""}
    models: { bench: ${has(3) ? `{ org_limits: { rpm: ${LOTS}, tpm: ${LOTS}000 } }` : ""} }
`;
  stage[1] = `server: { access_log: ${has(1)}${has(5) ? `, usage_db: ${join(dir, "ledger.db")}` : ""} }
backends:
  mock: { provider: mock, mock: { text: "Hello there, this is an answer.", agent: false }${has(4) ? ", price: { input: 3, output: 15 }" : ""} }
models:
  bench: { backends: { "default:1": { use: mock } } }
${has(2) ? org : ""}`;
});

const body = chatBody(size === "big");

const gateways: Gateway[] = [];
for (const [name, yaml] of STAGES) {
  const loaded = loadConfigText(yaml, {});
  if (!loaded.ok) throw new Error(`${name}: ${JSON.stringify(loaded.problems)}`);
  gateways.push(await createGateway({ source: { config: loaded.config }, env: {}, accessLog: { sink: { write: () => {} } } }));
}

async function run(gw: Gateway, i: number, n: number): Promise<number> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(body)),
    ...(i >= 2 ? { authorization: "Bearer sk-bench-stage-key" } : {}),
  };
  const started = performance.now();
  for (let k = 0; k < n; k++) {
    const r = await gw.fetch(new Request("http://gw/v1/chat/completions", { method: "POST", headers, body }));
    if (r.status !== 200) throw new Error(`${STAGES[i]![0]}: status ${r.status}: ${await r.text()}`);
    await r.arrayBuffer();
  }
  return ((performance.now() - started) * 1000) / n;
}

for (const [i, gw] of gateways.entries()) await run(gw, i, 4000); // warm-up: the JIT compiles the hot paths
const times = STAGES.map(() => [] as number[]);
for (let r = 0; r < ROUNDS; r++) for (const [i, gw] of gateways.entries()) times[i]!.push(await run(gw, i, N));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`${size} body, in-process on the mock backend, ${N} sequential requests a run, median of ${ROUNDS}:`);
STAGES.forEach(([name], i) => {
  const m = median(times[i]!);
  const step = i ? `  ${m - median(times[i - 1]!) >= 0 ? "+" : ""}${(m - median(times[i - 1]!)).toFixed(1)} µs` : "";
  console.log(`  ${name.padEnd(16)} ${m.toFixed(1)} µs${step}   (runs ${times[i]!.map((t) => t.toFixed(0)).join(", ")})`);
});
for (const gw of gateways) await gw.shutdown(0);
process.exit(0);
