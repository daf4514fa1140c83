#!/usr/bin/env bun
// Benchmark: the gateway (compiled binary) against a bare Bun pass-through proxy on the same mock upstream,
// in the same run, driven by wrk. Prints RPS, p50/p99, added latency and the gateway/bare ratio per scenario,
// then RSS after 10k and 100k requests and the binary's start-up time to its first answered request.
// Usage: bun scripts/bench/run.ts [--seconds 4] [--rounds 2] [--quick] [--rebuild] [--only <scenario name part>]
//        [--compare <commit>]: also builds that commit's binary (in a temporary worktree) and runs it in every round
//        beside this one, printing this/base requests a second per scenario with the spread over the rounds.
import { $ } from "bun";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startServerProc, type ServerProc } from "./procs";
import { RULE_KINDS } from "./rules";
import { reloadUnderLoad, soakHostile } from "./hostile";
import { measureRss, measureStartup } from "./soak";
import { runWrk, type LoadResult } from "./wrk";

const root = resolve(import.meta.dir, "../..");
const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const quick = process.argv.includes("--quick");
const onlyAt = process.argv.indexOf("--only");
const only = onlyAt > 0 ? process.argv[onlyAt + 1]! : undefined; // run only scenarios whose name contains this
const SECONDS = arg("seconds", quick ? 2 : 4);
const ROUNDS = arg("rounds", quick ? 1 : 2);
const dir = mkdtempSync(join(tmpdir(), "octollm-bench-"));

if ((await $`which wrk`.quiet().nothrow()).exitCode !== 0) {
  console.error("wrk is not installed: apt-get install -y wrk");
  process.exit(1);
}
const binary = join(root, "dist/octollm");
if (!existsSync(binary) || process.argv.includes("--rebuild")) await $`${process.execPath} ${join(root, "scripts/build.ts")}`.cwd(root);
const compareAt = process.argv.indexOf("--compare");
const baseBinary = compareAt > 0 ? await buildBase(process.argv[compareAt + 1]!) : undefined;

/** Builds a commit's binary in a temporary worktree (sharing node_modules); its path. */
async function buildBase(commit: string): Promise<string> {
  const tree = mkdtempSync(join(tmpdir(), "octollm-bench-base-"));
  await $`git worktree add --detach ${tree} ${commit}`.cwd(root).quiet();
  await $`ln -s ${join(root, "node_modules")} ${join(tree, "node_modules")}`;
  await $`${process.execPath} ${join(tree, "scripts/build.ts")}`.cwd(tree).quiet();
  process.on("exit", () => Bun.spawnSync(["git", "worktree", "remove", "--force", tree], { cwd: root }));
  return join(tree, "dist/octollm");
}

// request bodies
const small = { model: "bench", messages: [{ role: "user", content: "Hello, how are you today? Tell me a story." }], max_tokens: 256 };
const bodies: Record<string, object> = {
  small,
  stream: { ...small, stream: true },
  big: bigConversation(200 * 1024),
  rules: { ...small, model: "bench-rules", metadata: { tier: "gold" } },
  anthropicStream: { model: "bench-conv", max_tokens: 256, stream: true, messages: [{ role: "user", content: "Hello, how are you today? Tell me a story." }] },
  responsesStream: {
    model: "bench-conv",
    stream: true,
    store: false,
    input: [{ type: "message", role: "user", content: [{ type: "input_text", text: "Hello, how are you today? Tell me a story." }] }],
  },
  limited: { ...small, model: "bench-lim" },
  patterns: { ...small, model: "claude-sonnet-5", metadata: { user_id: "session-1234" } },
};
for (const [name, body] of Object.entries(bodies)) writeFileSync(join(dir, `${name}.json`), JSON.stringify(body));

/** A model with 20 rules (19 that do not match, of the kinds people write, then one that tags) over 3 backends. */
function rulesModel(url: string): string {
  const rules = Array.from(
    { length: 19 },
    (_, i) =>
      `      - name: r${i}\n        match: ${JSON.stringify(RULE_KINDS[i % RULE_KINDS.length]!(i))}\n        deny: { reason_text: "no", http_status_code: 403 }`,
  );
  rules.push(`      - name: gold\n        match: ${JSON.stringify(`RawReq.metadata.tier == "gold"`)}\n        add_tags: [gold]`);
  return (
    `  bench-rules:\n    default_rules:\n${rules.join("\n")}\n    backends:\n` +
    ["a", "b", "c"].map((n) => `      default:1:${n}: { base_url: "${url}" }`).join("\n") +
    "\n"
  );
}

/** 19 pattern models that do not match, then `claude-*` with session affinity over 3 backends. */
function patternModels(url: string): string {
  const misses = Array.from({ length: 19 }, (_, i) => `  p${i}-*:\n    backends:\n      default:1: { base_url: "${url}" }\n`).join("");
  const pool = ["a", "b", "c"].map((n) => `      default:1:${n}: { base_url: "${url}" }`).join("\n");
  return `${misses}  claude-*:\n    affinity: session\n    backends:\n${pool}\n`;
}

/** A Claude-Code-shaped request of about `size` bytes (model first, a long message history). */
function bigConversation(size: number): object {
  const messages: object[] = [];
  const body = { model: "bench", max_tokens: 4096, messages };
  for (let i = 0; JSON.stringify(body).length < size; i++) {
    messages.push({
      role: i % 2 ? "assistant" : "user",
      content: `Step ${i}: read src/file${i}.ts and explain ${"function f(x) { return x * 2 } // code\n".repeat(20)}`,
    });
  }
  return body;
}

/** A load scenario; the gateway may be driven with its own path and body (a converted route against the bare proxy's plain one). */
interface Scenario {
  name: string;
  path: string;
  body: string;
  conns: number[];
  gwPath?: string;
  gwBody?: string;
  redis?: boolean;
  /** A gateway of its own: with spend features (prices, Redis budgets, the ledger), or the same org without them. */
  gwProc?: "spend" | "nospend" | "team";
}
const SCENARIOS: Scenario[] = [
  { name: "non-stream", path: "/v1/chat/completions", body: "small", conns: [1, 16, 64] },
  { name: "stream 50 chunks", path: "/v1/chat/completions?chunks=50", body: "stream", conns: [1, 16, 64] },
  { name: "200 KB body", path: "/v1/chat/completions", body: "big", conns: [16] },
  { name: "paced stream 20×5ms", path: "/v1/chat/completions?chunks=20&pace=5", body: "stream", conns: [16] },
  { name: "20 rules, 3 backends", path: "/v1/chat/completions", body: "rules", conns: [16, 64] },
  { name: "20 patterns + affinity", path: "/v1/chat/completions", body: "small", conns: [16, 64], gwBody: "patterns" },
  {
    name: "converted stream 50 ch.",
    path: "/v1/chat/completions?chunks=50",
    body: "stream",
    conns: [16, 64],
    gwPath: "/v1/messages",
    gwBody: "anthropicStream",
  },
  {
    name: "Responses stream 50 ch.",
    path: "/v1/chat/completions?chunks=50",
    body: "stream",
    conns: [16, 64],
    gwPath: "/v1/responses",
    gwBody: "responsesStream",
  },
  { name: "limits rpm+tpm, memory", path: "/v1/chat/completions", body: "small", conns: [16, 64], gwBody: "limited" },
  { name: "limits rpm+tpm, Redis", path: "/v1/chat/completions", body: "small", conns: [16, 64], gwBody: "limited", redis: true },
  { name: "spend off (same org)", path: "/v1/chat/completions", body: "small", conns: [16, 64], gwBody: "small", gwProc: "nospend" },
  { name: "spend: prices+budgets+ledger", path: "/v1/chat/completions", body: "small", conns: [16, 64], gwBody: "small", gwProc: "spend" },
  { name: "team path", path: "/v1/chat/completions", body: "small", conns: [16], gwProc: "team" },
  { name: "200 KB team path", path: "/v1/chat/completions", body: "big", conns: [16], gwProc: "team" },
];

const config = join(dir, "bench.yaml");
const upstream = await startServerProc([process.execPath, join(import.meta.dir, "upstream.ts"), "0"]);
const models =
  `models:\n  bench:\n    backends:\n      default:1: { base_url: "${upstream.url}" }\n` +
  `  bench-conv:\n    backends:\n      default:1: { base_url: "${upstream.url}", api: openai-chat }\n` +
  `  bench-lim:\n    default_org_limits: { rpm: 100000000, tpm: 1000000000 }\n    backends:\n      default:1: { base_url: "${upstream.url}" }\n${rulesModel(upstream.url)}${patternModels(upstream.url)}`;
writeFileSync(config, `server: { max_body_bytes: 8388608 }\n${models}`);
const redisConfig = join(dir, "bench-redis.yaml");
writeFileSync(
  redisConfig,
  `server: { max_body_bytes: 8388608, redis_url: "${process.env.REDIS_URL || "redis://127.0.0.1:6379"}", redis_key_prefix: "octollm-bench-${Date.now()}:" }\n${models}`,
);
// spend: the same org and model, with and without prices, Redis budgets and the ledger
const redisUrl = process.env.REDIS_URL || "redis://127.0.0.1:6379";
const spendOrg = (budgets: string) => `orgs:\n  acme:\n    api_keys: { alice: bench-key-acme-alice }\n${budgets}    models: { bench: }\n`;
const spendConfig = join(dir, "bench-spend.yaml");
writeFileSync(
  spendConfig,
  `server: { redis_url: "${redisUrl}", redis_key_prefix: "octollm-bench-spend-${Date.now()}:", usage_db: "${join(dir, "usage.db")}" }\n` +
    `models:\n  bench:\n    backends:\n      default:1: { base_url: "${upstream.url}", price: { input: 1, output: 2 } }\n` +
    spendOrg("    budgets: { usd_per_day: 1000000, usd_total: 1000000000 }\n    key_budgets: { usd_per_month: 1000000 }\n"),
);
const noSpendConfig = join(dir, "bench-nospend.yaml");
writeFileSync(
  noSpendConfig,
  `server: { redis_url: "${redisUrl}" }\nmodels:\n  bench:\n    backends:\n      default:1: { base_url: "${upstream.url}" }\n` + spendOrg(""),
);
// the team path: an org key, org and key limits (memory), a price, a daily budget and a SQLite ledger
const teamConfig = join(dir, "bench-team.yaml");
writeFileSync(
  teamConfig,
  `server: { max_body_bytes: 8388608, usage_db: "${join(dir, "team-usage.db")}" }\n` +
    `models:\n  bench:\n    backends:\n      default:1: { base_url: "${upstream.url}", price: { input: 1, output: 2 } }\n` +
    "orgs:\n  acme:\n    api_keys: { alice: bench-key-acme-alice }\n    key_limits: { rpm: 100000000, tpm: 100000000000 }\n" +
    "    budgets: { usd_per_day: 1000000 }\n    models: { bench: { org_limits: { rpm: 100000000, tpm: 100000000000 } } }\n",
);
const bare = await startServerProc([process.execPath, join(import.meta.dir, "bare-proxy.ts"), "0", upstream.url]);
const bareJs = await startServerProc([process.execPath, join(import.meta.dir, "bare-proxy.ts"), "0", upstream.url, "js"]);
/** One binary's gateways: plain, on Redis, with spend features and the same org without them. */
async function startGateways(bin: string) {
  const serve = (cfg: string, env?: Record<string, string>) => startServerProc([bin, "serve", "-c", cfg, "--port", "0"], "stderr", env);
  return {
    plain: await serve(config, { REDIS_URL: "" }),
    redis: await serve(redisConfig),
    spend: await serve(spendConfig),
    nospend: await serve(noSpendConfig),
    team: await serve(teamConfig, { REDIS_URL: "" }),
  };
}
const gateways = await startGateways(binary);
const baseGateways = baseBinary ? await startGateways(baseBinary) : undefined;
type Gateways = typeof gateways;
const pick = (set: Gateways, s: Scenario) => (s.gwProc ? set[s.gwProc] : s.redis ? set.redis : set.plain);

const avg = (rs: LoadResult[]): LoadResult => ({
  rps: rs.reduce((s, r) => s + r.rps, 0) / rs.length,
  p50: rs.reduce((s, r) => s + r.p50, 0) / rs.length,
  p99: rs.reduce((s, r) => s + r.p99, 0) / rs.length,
  requests: rs.reduce((s, r) => s + r.requests, 0),
  errors: rs.reduce((s, r) => s + r.errors, 0),
  cpuUs: rs.reduce((s, r) => s + r.cpuUs, 0) / rs.length,
});
const f = (n: number, d = 2) => (Number.isFinite(n) ? n.toFixed(d) : "-");

const rows: object[] = [];
console.log(`octollm benchmark: ${SECONDS}s per run, ${ROUNDS} round(s), wrk -t1; bun ${Bun.version}; ${new Date().toISOString()}`);
console.log(
  "scenario               c   direct rps  bare rps  js rps   gw rps   gw/bare  gw/js  p50 bare/gw ms   p99 bare/gw ms   added p99 bare/gw ms  cpu µs/req bare/gw  errors",
);
for (const s of SCENARIOS.filter((x) => !only || x.name.includes(only) || x.name === "non-stream")) {
  const bodyFile = join(dir, `${s.body}.json`);
  const gwFile = join(dir, `${s.gwBody ?? s.body}.json`);
  const gwPath = s.gwPath ?? s.path;
  const gw = pick(gateways, s);
  const baseGw = baseGateways && pick(baseGateways, s);
  const auth: Record<string, string> = s.gwProc ? { authorization: "Bearer bench-key-acme-alice" } : {};
  for (const c of s.conns) {
    await runWrk(gw.url + gwPath, gwFile, c, 1, dir, undefined, auth); // warm-up
    await runWrk(bare.url + s.path, bodyFile, c, 1, dir);
    const direct = await runWrk(upstream.url + s.path, bodyFile, c, SECONDS, dir);
    const b: LoadResult[] = [],
      j: LoadResult[] = [],
      g: LoadResult[] = [],
      base: LoadResult[] = [];
    if (baseGw) await runWrk(baseGw.url + gwPath, gwFile, c, 1, dir, undefined, auth); // warm-up
    for (let r = 0; r < ROUNDS; r++) {
      b.push(await runWrk(bare.url + s.path, bodyFile, c, SECONDS, dir, bare.proc.pid));
      j.push(await runWrk(bareJs.url + s.path, bodyFile, c, SECONDS, dir, bareJs.proc.pid));
      if (baseGw) base.push(await runWrk(baseGw.url + gwPath, gwFile, c, SECONDS, dir, baseGw.proc.pid, auth));
      g.push(await runWrk(gw.url + gwPath, gwFile, c, SECONDS, dir, gw.proc.pid, auth));
    }
    const B = avg(b),
      J = avg(j),
      G = avg(g);
    const ratio = G.rps / B.rps,
      ratioJs = G.rps / J.rps;
    const addB = B.p99 - direct.p99,
      addG = G.p99 - direct.p99;
    rows.push({ scenario: s.name, c, direct, bare: B, bareJs: J, gateway: G, ratio, ratioJs, addedP99: { bare: addB, gateway: addG } });
    console.log(
      `${s.name.padEnd(22)} ${String(c).padStart(2)}  ${f(direct.rps, 0).padStart(10)} ${f(B.rps, 0).padStart(9)} ${f(J.rps, 0).padStart(7)} ${f(G.rps, 0).padStart(7)}   ${f(ratio).padStart(6)} ${f(ratioJs).padStart(6)}  ` +
        `${f(B.p50)}/${f(G.p50)}`.padStart(15) +
        `${f(B.p99)}/${f(G.p99)}`.padStart(17) +
        `${f(addB)}/${f(addG)}`.padStart(22) +
        `${f(B.cpuUs, 1)}/${f(G.cpuUs, 1)}`.padStart(20) +
        `  ${B.errors + G.errors + direct.errors}`,
    );
    if (base.length) {
      const ratios = g.map((x, r) => x.rps / base[r]!.rps);
      const A = avg(base);
      (rows.at(-1) as Record<string, unknown>).base = { result: A, ratios };
      console.log(
        `${"".padEnd(22)}     this/base rps ${f(G.rps / A.rps)} (rounds ${f(Math.min(...ratios))}–${f(Math.max(...ratios))}), cpu µs/req base/this ${f(A.cpuUs, 1)}/${f(G.cpuUs, 1)}`,
      );
    }
  }
}
for (const set of [gateways, baseGateways]) for (const proc of set ? Object.values(set) : []) await proc.stop();
await bare.stop();
await bareJs.stop();
const rowsBy = (name: string) => rows.filter((r: any) => r.scenario === name) as any[];
for (const store of ["memory", "Redis"]) {
  const ratios = rowsBy(`limits rpm+tpm, ${store}`).map((r) => {
    const off = rowsBy("non-stream").find((x) => x.c === r.c);
    return off ? `c=${r.c} ${f(r.gateway.rps / off.gateway.rps)}` : "";
  });
  console.log(`limits on / off (${store} store): ${ratios.join(", ")}`);
}

// with --only, just the scenarios (for an A/B of the request path); the soak, start-up and micro benchmarks run in a full run
let rss: Awaited<ReturnType<typeof measureRss>> | undefined;
let startup: Awaited<ReturnType<typeof measureStartup>> | undefined;
let soak: Awaited<ReturnType<typeof soakHostile>> | undefined;
let reload: Awaited<ReturnType<typeof reloadUnderLoad>> | undefined;
if (!only) {
  rss = await measureRss(binary, config, bodies);
  console.log(
    `RSS after 10k requests: ${f(rss.after10k, 1)} MiB; after 100k: ${f(rss.after100k, 1)} MiB (growth ${f((rss.after100k / rss.after10k - 1) * 100, 1)}%)`,
  );
  startup = await measureStartup(binary, dir);
  console.log(
    `start-up to first answered request: median ${f(startup.median, 1)} ms (min ${f(startup.min, 1)}, max ${f(startup.max, 1)}, ${startup.runs} runs)`,
  );
  soak = await soakHostile(binary, upstream.url, dir, quick ? 10_000 : 40_000);
  console.log(
    `hostile soak, ${soak.requests} requests (1 in 4 hostile, 1 in 4 a stream dropped halfway): ok ${soak.ok}, refused ${soak.refused}, other ${soak.other}; ` +
      `RSS ${soak.before.rssMiB} → ${soak.after.rssMiB} MiB, open files ${soak.before.openFiles} → ${soak.after.openFiles}`,
  );
  reload = await reloadUnderLoad(binary, dir, quick ? 5 : 10);
  console.log(
    `reload under load, ${reload.seconds} s, file rewritten in place ${reload.rewrites} times: ok ${reload.ok}, 404 ${reload.notFound}, other ${reload.other}; ` +
      `RSS ${reload.before.rssMiB} → ${reload.after.rssMiB} MiB, open files ${reload.before.openFiles} → ${reload.after.openFiles}`,
  );
  await upstream.stop();
  for (const micro of ["rules.ts", "convert.ts"]) console.log((await $`${process.execPath} ${join(import.meta.dir, micro)}`.text()).trim());
} else await upstream.stop();
if (!only || "moderation".includes(only)) console.log((await $`${process.execPath} ${join(import.meta.dir, "moderation.ts")} ${binary}`.text()).trim());

const out = join(root, ".bench");
await $`mkdir -p ${out}`;
writeFileSync(
  join(out, "results.json"),
  JSON.stringify({ date: new Date().toISOString(), seconds: SECONDS, rounds: ROUNDS, rows, rss, startup, soak, reload }, null, 2),
);
console.log(`results: ${join(out, "results.json")}`);
process.exit(0);
// keep the type of ServerProc referenced for readers of this file
export type { ServerProc };
