#!/usr/bin/env bun
// Moderation's cost: the gateway's latency with moderation on (a 0 ms mock service) against the same gateway
// without it, in the same run, next to the moderation round trip itself measured from the same client.
// Sequential requests (wrk -c1), so latency is not hidden by concurrency. Usage: bun scripts/bench/moderation.ts [binary]
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startServerProc } from "./procs";
import { runWrk, type LoadResult } from "./wrk";

const binary = process.argv[2] ?? resolve(import.meta.dir, "../../dist/octollm");
const SECONDS = 3;
const dir = mkdtempSync(join(tmpdir(), "octollm-bench-mod-"));
const upstream = await startServerProc([process.execPath, join(import.meta.dir, "upstream.ts"), "0"]);
const service = await startServerProc([process.execPath, join(import.meta.dir, "moderation-service.ts"), "0"]);
const mod = (extra: string) => `moderation: { provider: openai, url: "${service.url}/v1/moderations"${extra} }`;
const backend = `backends: { "default:1": { base_url: "${upstream.url}" } }`;
writeFileSync(
  join(dir, "c.yaml"),
  `models:
  plain: { ${backend} }
  input: { ${mod(", output: false")}, ${backend} }
  both: { ${mod("")}, ${backend} }
`,
);
const message = "Hello, how are you today? Tell me a story about a fox and a dog.";
for (const model of ["plain", "input", "both"]) {
  writeFileSync(join(dir, `${model}.json`), JSON.stringify({ model, max_tokens: 256, messages: [{ role: "user", content: message }] }));
  writeFileSync(join(dir, `${model}-stream.json`), JSON.stringify({ model, max_tokens: 256, stream: true, messages: [{ role: "user", content: message }] }));
}
writeFileSync(join(dir, "check.json"), JSON.stringify({ input: message }));
const gateway = await startServerProc([binary, "serve", "-c", join(dir, "c.yaml"), "--port", "0", "--no-watch"], "stderr");

const best = async (url: string, body: string): Promise<LoadResult> => {
  await runWrk(url, join(dir, body), 1, 1, dir); // warm-up
  const runs = [await runWrk(url, join(dir, body), 1, SECONDS, dir), await runWrk(url, join(dir, body), 1, SECONDS, dir)];
  return runs.sort((a, b) => a.p50 - b.p50)[0]!;
};
const f = (n: number) => n.toFixed(3);
const roundTrip = await best(`${service.url}/v1/moderations`, "check.json");
const bunTrip = await bunRoundTrip(`${service.url}/v1/moderations`, JSON.stringify({ input: message }));
console.log(`moderation benchmark (0 ms mock service, wrk -c1, best of 2 × ${SECONDS}s)`);
console.log(`  one moderation round trip: from wrk p50 ${f(roundTrip.p50)} ms; from a Bun fetch client (as the gateway makes it) median ${f(bunTrip)} ms`);
for (const [label, suffix, path] of [
  ["non-stream", "", "/v1/chat/completions"],
  ["stream 50 chunks", "-stream", "/v1/chat/completions?chunks=50"],
] as const) {
  const plain = await best(gateway.url + path, `plain${suffix}.json`);
  for (const model of ["input", "both"]) {
    const on = await best(gateway.url + path, `${model}${suffix}.json`);
    const added = on.p50 - plain.p50;
    const checks = model === "input" ? 1 : 2;
    console.log(
      `  ${label.padEnd(16)} ${model === "input" ? "input only    " : "input + output"}: p50 ${f(plain.p50)} → ${f(on.p50)} ms, added ${f(added)} ms per ${checks} check(s) = ${(added / checks / bunTrip).toFixed(2)} × a Bun round trip each; p99 ${f(plain.p99)} → ${f(on.p99)} ms; errors ${on.errors}`,
    );
  }
}
await gateway.stop();

/** Median time of sequential fetch + JSON.parse round trips from this Bun process. */
async function bunRoundTrip(url: string, body: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 3000; i++) {
    const t = performance.now();
    await (await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body })).json();
    if (i >= 500) times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[times.length >> 1]!;
}
await service.stop();
await upstream.stop();
process.exit(0);
