#!/usr/bin/env bun
// CPU a request costs the gateway process, read from its own /proc/<pid>/stat over N requests (loopback, c=8),
// on a scripted chat upstream in this process. With --base <commit>, the same run for that commit's tree (a
// temporary git worktree sharing node_modules), alternating rounds, and the ratio of the medians.
// Usage: bun scripts/bench/cpu.ts [--size small|big] [--path anon|key|limits|budget|team] [--n 2000] [--rounds 3]
//        [--base <commit>] [--stages]
// Sizes: a small chat or a ~200 KB conversation. Paths, each adding to the one before: anonymous; an org key;
// org and key limits; a price and a daily budget; a SQLite usage ledger (the team path). --stages measures every
// path in turn, so each stage's cost is the difference. The source tree runs under Bun, as the binary does.
// BENCH_SERVER="dashboard: false": more server settings (the same for --base: keys it knows).
// BENCH_ONE_STRING=1: the big body is one long string instead of a conversation (what its structure costs).
import { $ } from "bun";
import { mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chatBody } from "./chat-body";

const root = resolve(import.meta.dir, "../..");
const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : dflt;
};
const PATHS = ["anon", "key", "limits", "budget", "team"];
const size = arg("size", "big");
const N = Number(arg("n", "2000"));
const ROUNDS = Number(arg("rounds", "3"));
const base = arg("base", "");
const WARMUP = Number(arg("warmup", "4000"));
const big = size === "big";

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

const body = chatBody(big);

/** CPU µs of each thread of a process (name:tid → µs), or the change since `since`. */
function threadTimes(pid: number, since?: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const f = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8").split(") ");
    const name = `${f[0]!.split(" (")[1]}:${tid}`;
    const rest = f[1]!.split(" ");
    out[name] = (Number(rest[11]) + Number(rest[12])) * 10_000 - (since?.[name] ?? 0);
  }
  return out;
}

/** The config of a path: each one adds its stage to the one before. */
function config(path: string, port: number, dir: string): string {
  const at = PATHS.indexOf(path);
  if (at < 0) throw new Error(`--path is one of ${PATHS.join(", ")}`);
  const has = (stage: string) => at >= PATHS.indexOf(stage);
  const big = "100000000";
  const limits = has("limits")
    ? { key: `\n    key_limits: { rpm: ${big}, tpm: ${big}000 }`, org: `{ org_limits: { rpm: ${big}, tpm: ${big}000 } }` }
    : { key: "", org: "" };
  const org = `orgs:
  acme:
    api_keys: { k1: sk-bench-team-key-1 }${limits.key}${has("budget") ? "\n    budgets: { usd_per_day: 1000000 }" : ""}
    models: { bench: ${limits.org} }
`;
  return `server: { host: 127.0.0.1, port: ${port}${process.env.BENCH_SERVER ? `, ${process.env.BENCH_SERVER}` : ""}${has("team") ? `, usage_db: ${join(dir, "ledger.db")}` : ""} }
backends:
  up: { base_url: "http://127.0.0.1:${upstream.port}"${has("budget") ? ", price: { input: 3, output: 15 }" : ""} }
models:
  bench: { backends: { "default:1": { use: up } } }
${has("key") ? org : ""}`;
}

/** µs of gateway CPU per request for the tree at `tree` on `path`: the whole process's, and its main thread's. */
async function measure(tree: string, path: string): Promise<{ all: number; main: number }> {
  const dir = mkdtempSync(join(tmpdir(), "octollm-cpu-"));
  const probe = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() }); // a free port, not a random guess
  const port = probe.port!;
  probe.stop(true);
  const team = path !== "anon";
  writeFileSync(join(dir, "config.yaml"), config(path, port, dir));
  const proc = Bun.spawn([process.execPath, join(tree, "src/cli/main.ts"), "serve", "-c", join(dir, "config.yaml")], {
    cwd: tree,
    stdout: "ignore",
    stderr: "pipe",
  });
  let errTail = ""; // the gateway's stderr, read as it comes (a pipe left unread would stall it), its end kept
  void (async () => {
    for await (const piece of proc.stderr) errTail = (errTail + new TextDecoder().decode(piece)).slice(-2000);
  })();
  const url = `http://127.0.0.1:${port}/v1/chat/completions`;
  const headers: Record<string, string> = { "content-type": "application/json", ...(team ? { authorization: "Bearer sk-bench-team-key-1" } : {}) };
  let up = false;
  for (let t = 0; t < 300 && !up; t++) {
    up = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (!up) await Bun.sleep(100);
  }
  if (!up) {
    proc.kill();
    throw new Error(`the gateway of ${tree} did not start on port ${port}: ${errTail}`);
  }
  const ticks = (stat: string) => {
    const f = readFileSync(stat, "utf8").split(") ")[1]!.split(" ");
    return (Number(f[11]) + Number(f[12])) * (1_000_000 / 100); // utime + stime, in clock ticks of 10 ms
  };
  // the whole process (every thread: the ledger's writer, Bun's own), and its main thread (the request path)
  const cpu = () => [ticks(`/proc/${proc.pid}/stat`), ticks(`/proc/${proc.pid}/task/${proc.pid}/stat`)] as const;
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
    await run(WARMUP); // warm-up: until the JIT has compiled the hot paths (its threads count in the process)
    const threadsBefore = threadTimes(proc.pid);
    const before = cpu();
    await run(N);
    const after = cpu();
    if (process.env.BENCH_THREADS) console.error(threadTimes(proc.pid, threadsBefore));
    return { all: (after[0] - before[0]) / N, main: (after[1] - before[1]) / N };
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
type Run = { all: number; main: number };
const fmt = (rs: Run[]) =>
  `${Math.round(median(rs.map((r) => r.all)))} µs, main thread ${Math.round(median(rs.map((r) => r.main)))} µs (runs ${rs.map((r) => Math.round(r.all)).join(", ")})`;
const baseTree = base ? await worktree(base) : undefined;
try {
  if (process.argv.includes("--stages")) {
    // every path in each round, so the stages are compared under the same machine load
    const runs = new Map(PATHS.map((p) => [p, [] as Run[]]));
    for (let r = 0; r < ROUNDS; r++) for (const p of PATHS) runs.get(p)!.push(await measure(root, p));
    console.log(`${size} body, ${N} requests a run, c=8, median of ${ROUNDS}:`);
    PATHS.forEach((p, i) => {
      const of = (q: string, k: keyof Run) => median(runs.get(q)!.map((r) => r[k]));
      const step = i
        ? ` (+${Math.round(of(p, "all") - of(PATHS[i - 1]!, "all"))} µs, main thread +${Math.round(of(p, "main") - of(PATHS[i - 1]!, "main"))} µs)`
        : "";
      console.log(`  ${p.padEnd(7)} ${fmt(runs.get(p)!)}${step}`);
    });
  } else {
    const path = arg("path", "team");
    const here: Run[] = [];
    const there: Run[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      if (baseTree) there.push(await measure(baseTree, path));
      here.push(await measure(root, path));
    }
    console.log(`${size} body, ${path} path, ${N} requests a run, c=8: this tree ${fmt(here)}`);
    const ratio = median(here.map((r) => r.all)) / median(there.map((r) => r.all));
    if (base) console.log(`base ${base}: ${fmt(there)}; ratio this/base ${ratio.toFixed(2)}`);
  }
} finally {
  upstream.stop(true);
  if (baseTree) await $`git worktree remove --force ${baseTree}`.cwd(root).quiet().nothrow();
}
