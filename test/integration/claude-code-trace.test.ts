// `octollm claude --trace` and `octollm codex --trace`: the real Claude Code (2.1.197) and Codex (0.171) exports its own spans to the gateway's collector and sends
// its traceparent to the gateway, so its turn and the gateway's spans are one trace (on the mock backend: no upstream attempt, so no CLIENT span).
import { afterAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startOtlpReceiver } from "../helpers/otlp-receiver";

const root = resolve(import.meta.dir, "../..");
const rx = startOtlpReceiver();
afterAll(() => rx.stop());

async function launch(args: string[], config: string) {
  const dir = mkdtempSync(join(tmpdir(), "octollm-cc-trace-"));
  const home = join(dir, "home");
  mkdirSync(home, { recursive: true });
  const cfg = join(dir, "config.yaml");
  writeFileSync(cfg, config);
  const proc = Bun.spawn(
    [process.execPath, join(root, "src/cli/main.ts"), "claude", ...args, "-c", cfg, "--log-file", join(dir, "gw.log"), "--", "-p", "say hi"],
    {
      cwd: dir,
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
      env: { PATH: process.env.PATH!, HOME: home },
    },
  );
  const timer = setTimeout(() => proc.kill(), 90_000);
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(timer);
  return { out, err, code };
}

const mock = readFileSync(join(root, "examples/config-mock.yaml"), "utf8").replace(/^server:\n(?: {2}.*\n)+/m, "");

test("one trace: Claude Code's spans, and the gateway's SERVER span as the child of one of them", async () => {
  const r = await launch(["--trace"], `server: { otel: { endpoint: "${rx.url}" } }\n${mock}`);
  expect({ code: r.code, err: r.code === 0 ? "" : r.err.slice(-1500) }).toEqual({ code: 0, err: "" });
  expect(r.out).toContain("Hello from OctoLLM");
  await rx.waitFor(1, 10_000);
  for (let i = 0; i < 100 && !rx.spans.some((s) => s.service !== "octollm"); i++) await Bun.sleep(50);
  const gateway = rx.spans.filter((s) => s.service === "octollm" && s.kind === 2);
  const claude = rx.spans.filter((s) => s.service !== "octollm");
  expect(gateway.length).toBeGreaterThan(0);
  expect(claude.length).toBeGreaterThan(0);
  const claudeIds = new Set(claude.map((s) => s.spanId));
  const joined = gateway.filter((g) => g.parentSpanId && claudeIds.has(g.parentSpanId));
  expect(joined.length).toBeGreaterThan(0); // the gateway continued Claude Code's trace
  expect(claude.some((s) => s.traceId === joined[0]!.traceId)).toBe(true);
}, 120_000);

test("--trace without a collector says what is missing and runs nothing", async () => {
  const r = await launch(["--trace"], mock);
  expect(r.code).toBe(1);
  expect(r.err).toContain("--trace needs a collector");
}, 60_000);

test("octollm codex --trace: the real Codex (0.171) exports its spans to the same collector and the gateway's SERVER span is a child of one", async () => {
  const dir = mkdtempSync(join(tmpdir(), "octollm-codex-trace-"));
  const home = join(dir, "home");
  mkdirSync(join(home, ".codex"), { recursive: true });
  const cfg = join(dir, "config.yaml");
  writeFileSync(cfg, `server: { otel: { endpoint: "${rx.url}", headers: { x-collector-key: k1 } } }\n${mock}`);
  const before = rx.spans.length;
  const proc = Bun.spawn(
    [
      process.execPath,
      join(root, "src/cli/main.ts"),
      "codex",
      "--trace",
      "-c",
      cfg,
      "--log-file",
      join(dir, "gw.log"),
      "--",
      "exec",
      "--skip-git-repo-check",
      "--ephemeral",
      "say hi",
    ],
    { cwd: dir, stdin: "ignore", stdout: "pipe", stderr: "pipe", env: { PATH: process.env.PATH!, HOME: home, CODEX_HOME: join(home, ".codex") } },
  );
  const timer = setTimeout(() => proc.kill(), 90_000);
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(timer);
  expect({ code, err: code === 0 ? "" : err.slice(-1500) }).toEqual({ code: 0, err: "" });
  expect(out).toContain("Hello from OctoLLM");
  for (let i = 0; i < 100 && !rx.spans.slice(before).some((s) => s.service === "octollm"); i++) await Bun.sleep(50);
  const mine = rx.spans.slice(before);
  const codexIds = new Set(mine.filter((s) => s.service !== "octollm").map((s) => s.spanId));
  expect(codexIds.size).toBeGreaterThan(0);
  const server = mine.filter((s) => s.service === "octollm" && s.kind === 2);
  expect(server.length).toBeGreaterThan(0);
  expect(server.every((s) => s.parentSpanId && codexIds.has(s.parentSpanId))).toBe(true);
  expect(rx.posts.some((p) => p.headers["x-collector-key"] === "k1")).toBe(true); // the configured headers reach the collector
}, 120_000);
