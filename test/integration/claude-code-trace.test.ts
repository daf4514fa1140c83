// `octollm claude --trace`: the real Claude Code (2.1.197) exports its own spans to the gateway's collector and sends
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
