#!/usr/bin/env bun
// CPU a request costs the gateway process, read from its own /proc/<pid>/stat over N requests (loopback, c=8),
// on a scripted chat upstream in this process. With --base <commit>, the same run for that commit's tree (a
// temporary git worktree sharing node_modules), alternating rounds, and the ratio of the medians.
// Usage: bun scripts/bench/cpu.ts [--scenario small|big|team|bigteam] [--n 2000] [--rounds 3] [--base <commit>]
// Scenarios: a small chat or a ~200 KB conversation, anonymous or "team" (an org key, org and key limits, a
// price, a daily budget and a SQLite ledger). The source tree runs under Bun, as the compiled binary does.
import { $ } from "bun";
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dir, "../..");
const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : dflt;
};
const scenario = arg("scenario", "bigteam");
const N = Number(arg("n", "2000"));
const ROUNDS = Number(arg("rounds", "3"));
const base = arg("base", "");
const team = scenario.includes("team");
const big = scenario.startsWith("big");

const ANSWER = JSON.stringify({
  id: "x",
  object: "chat.completion",
  created: 1,
  model: "m",
  choices: [{ index: 0, message: { role: "assistant", content: "Hello there, this is an answer." }, finish_reason: "stop" }],
  usage: { prompt_tokens: 100, completion_tokens: 10, total_tokens: 110 },
});
const upstream = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch: async (r) => {
    await r.arrayBuffer();
    return new Response(ANSWER, { headers: { "content-type": "application/json" } });
  },
});

function conversation(bytes: number): object[] {
  const messages: object[] = [{ role: "system", content: "You are a helpful assistant." }];
  for (let i = 0; JSON.stringify(messages).length < bytes; i++)
    messages.push({ role: i % 2 ? "assistant" : "user", content: "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ".repeat(20) });
  return messages;
}
const body = JSON.stringify({
  model: "bench",
  max_tokens: 256,
  messages: big ? conversation(200 * 1024) : [{ role: "user", content: "Hello, how are you today? Tell me a story." }],
});

/** µs of gateway CPU per request for the tree at `tree`. */
async function measure(tree: string): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "octollm-cpu-"));
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const orgs = `orgs:
  acme:
    api_keys: { k1: sk-bench-team-key-1 }
    key_limits: { rpm: 100000000, tpm: 100000000000 }
    budgets: { usd_per_day: 1000000 }
    models: { bench: { org_limits: { rpm: 100000000, tpm: 100000000000 } } }
`;
  writeFileSync(
    join(dir, "config.yaml"),
    `server: { host: 127.0.0.1, port: ${port}${team ? `, usage_db: ${join(dir, "ledger.db")}` : ""} }
backends:
  up: { base_url: "http://127.0.0.1:${upstream.port}"${team ? ", price: { input: 3, output: 15 }" : ""} }
models:
  bench: { backends: { "default:1": { use: up } } }
${team ? orgs : ""}`,
  );
  const proc = Bun.spawn([process.execPath, join(tree, "src/cli/main.ts"), "serve", "-c", join(dir, "config.yaml")], {
    cwd: tree,
    stdout: "ignore",
    stderr: "ignore",
  });
  const url = `http://127.0.0.1:${port}/v1/chat/completions`;
  const headers: Record<string, string> = { "content-type": "application/json", ...(team ? { authorization: "Bearer sk-bench-team-key-1" } : {}) };
  for (let t = 0; t < 100; t++) {
    if (
      await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    await Bun.sleep(100);
  }
  const cpu = () => {
    const f = readFileSync(`/proc/${proc.pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(f[11]) + Number(f[12])) * (1_000_000 / 100); // utime + stime, in clock ticks of 10 ms
  };
  const run = async (n: number) => {
    let sent = 0;
    const worker = async () => {
      while (sent++ < n) {
        const r = await fetch(url, { method: "POST", headers, body });
        if (r.status !== 200) throw new Error(`status ${r.status}: ${await r.text()}`);
        await r.arrayBuffer();
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
  };
  try {
    await run(400); // warm-up
    const before = cpu();
    await run(N);
    return (cpu() - before) / N;
  } finally {
    proc.kill();
    await proc.exited;
  }
}

async function worktree(commit: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "octollm-cpu-base-"));
  await $`git worktree add --detach ${dir} ${commit}`.cwd(root).quiet();
  symlinkSync(join(root, "node_modules"), join(dir, "node_modules"));
  return dir;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const baseTree = base ? await worktree(base) : undefined;
const here: number[] = [];
const there: number[] = [];
try {
  for (let r = 0; r < ROUNDS; r++) {
    if (baseTree) there.push(await measure(baseTree));
    here.push(await measure(root));
  }
} finally {
  upstream.stop(true);
  if (baseTree) await $`git worktree remove --force ${baseTree}`.cwd(root).quiet().nothrow();
}
const fmt = (xs: number[]) => `${Math.round(median(xs))} µs (runs ${xs.map(Math.round).join(", ")})`;
console.log(`${scenario}, ${N} requests a run, c=8: this tree ${fmt(here)}`);
if (base) console.log(`base ${base}: ${fmt(there)}; ratio this/base ${(median(here) / median(there)).toFixed(2)}`);
