// The compiled executable: CLI behaviour, SDK pass-through, the bundled examples, and Claude Code end to end.
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import OpenAI from "openai";
import { BINARY, buildBinary, startBinary, type GatewayProcess } from "../helpers/binary";
import { ANTHROPIC_BODY, ANTHROPIC_CHUNKS, OPENAI_CHUNKS, joined, startMockUpstream } from "../helpers/mock-upstream";

const root = resolve(import.meta.dir, "../..");
const tmp = mkdtempSync(join(tmpdir(), "octollm-bin-"));
const run = (...args: string[]) => Bun.spawnSync([BINARY, ...args], { env: { ...process.env, NO_COLOR: "1" } });

let upstream: ReturnType<typeof startMockUpstream>;
let gw: GatewayProcess;

beforeAll(async () => {
  await buildBinary();
  upstream = startMockUpstream();
  const config = join(tmp, "config.yaml");
  writeFileSync(
    config,
    `
backends:
  up:
    base_url: ${upstream.url}
    api_key: \${UPSTREAM_KEY}
models:
  up-model:
    backends:
      default:1: { use: up }
  claude-test:
    backends:
      default:1: { use: up }
`,
  );
  gw = await startBinary(config, { UPSTREAM_KEY: "sk-from-env" });
}, 60_000);
afterAll(async () => {
  await gw?.stop();
  upstream?.stop();
});

describe("CLI", () => {
  test("--version, --help, and unknown commands or flags", () => {
    expect(run("--version").stdout.toString().trim()).toBe(require("../../package.json").version);
    const help = run("--help");
    expect(help.exitCode).toBe(0);
    expect(help.stdout.toString()).toContain("validate");
    expect(run("serve", "--nope").exitCode).toBe(1);
    expect(run("bogus").exitCode).toBe(1);
  });
  test("validate prints file:line:col problems and exits 1; serve refuses the same file", () => {
    const bad = join(tmp, "bad.yaml");
    writeFileSync(bad, "server:\n  port: 99999\nmodels:\n  m:\n    backends:\n      default:1: { use: missing }\n");
    const v = run("validate", bad);
    expect(v.exitCode).toBe(1);
    expect(v.stderr.toString()).toContain(`${bad}:2:9 server.port: `);
    const s = run("serve", "-c", bad, "--port", "0");
    expect(s.exitCode).toBe(1);
    expect(s.stderr.toString()).toContain(`${bad}:2:9 server.port: `);
  });
  test("every example config validates", () => {
    const files = readdirSync(join(root, "examples")).filter((f) => f.endsWith(".yaml"));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const r = run("validate", join(root, "examples", f));
      expect({ f, out: r.stderr.toString(), code: r.exitCode }).toEqual({ f, out: "", code: 0 });
    }
  });

  test("a SQLite usage ledger is written by the executable's worker thread; octollm usage reports it", async () => {
    const db = join(tmp, "usage.db");
    const config = join(tmp, "ledger.yaml");
    writeFileSync(config, `server: { usage_db: "${db}" }\nmodels:\n  m: { backends: { "default:1": { provider: mock } } }\n`);
    const ledgered = await startBinary(config);
    try {
      for (let i = 0; i < 3; i++) {
        const r = await fetch(`${ledgered.url}/v1/chat/completions`, {
          method: "POST",
          body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] }),
        });
        expect(r.status).toBe(200);
        await r.text();
      }
    } finally {
      await ledgered.stop(); // writes what is queued before it exits
    }
    expect(ledgered.stderr()).not.toContain("ledger writer failed");
    const report = run("usage", "--db", db, "--by", "model", "--json");
    expect(JSON.parse(report.stdout.toString())).toMatchObject([{ model: "m", requests: 3, errors: 0 }]);
  });

  test("the dashboard's files are embedded: the binary prints a one-time link that signs in, and serves its script gzipped", async () => {
    const config = join(tmp, "dash.yaml");
    writeFileSync(config, `models:\n  m: { backends: { "default:1": { provider: mock } } }\n`);
    const gw = await startBinary(config);
    try {
      const link = /dashboard: (http:\/\/\S+\/admin\/ui\/login\?token=\S+)/.exec(gw.stderr())![1]!;
      const signed = await fetch(link, { redirect: "manual" });
      expect(signed.status).toBe(303);
      const cookie = /octollm_ui=[^;]+/.exec(signed.headers.get("set-cookie")!)![0];
      expect((await fetch(`${gw.url}/admin/ui/api/live`, { headers: { cookie } })).status).toBe(200);
      const page = await (await fetch(`${gw.url}/admin/ui/`)).text();
      const script = /src="(\/admin\/ui\/assets\/app\.js\?v=\w+)"/.exec(page)![1]!;
      const js = await fetch(`${gw.url}${script}`, { headers: { "accept-encoding": "gzip" }, decompress: false } as RequestInit);
      expect(js.headers.get("content-encoding")).toBe("gzip");
      const text = new TextDecoder().decode(Bun.gunzipSync(new Uint8Array(await js.arrayBuffer())));
      expect(text.length).toBeGreaterThan(50_000); // preact, htm, uPlot and the pages
      expect(text).toContain("/admin/ui/api/");
    } finally {
      await gw.stop();
    }
  });
});

describe("SDKs through the binary", () => {
  test("OpenAI stream and Anthropic non-stream are byte-identical; env key used upstream", async () => {
    const res = await fetch(`${gw.url}/v1/chat/completions`, { method: "POST", body: JSON.stringify({ model: "up-model", stream: true, messages: [] }) });
    expect(await res.text()).toBe(joined(OPENAI_CHUNKS));
    expect(upstream.seen.at(-1)!.headers.authorization).toBe("Bearer sk-from-env");
    const a = await fetch(`${gw.url}/v1/messages`, {
      method: "POST",
      headers: { "anthropic-version": "2023-06-01" },
      body: JSON.stringify({ model: "up-model", max_tokens: 9, messages: [] }),
    });
    expect(await a.text()).toBe(ANTHROPIC_BODY);
    const s = await fetch(`${gw.url}/v1/messages`, { method: "POST", body: JSON.stringify({ model: "up-model", max_tokens: 9, stream: true, messages: [] }) });
    expect(await s.text()).toBe(joined(ANTHROPIC_CHUNKS));
  });
  test("official clients", async () => {
    const oa = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: "c", maxRetries: 0 });
    const r = await oa.chat.completions.create({ model: "up-model", messages: [{ role: "user", content: "hi" }] });
    expect(r.choices[0]!.message.content).toBe("Hi from upstream é中");
    const an = new Anthropic({ baseURL: gw.url, apiKey: "c", maxRetries: 0 });
    const final = await an.messages.stream({ model: "up-model", max_tokens: 9, messages: [{ role: "user", content: "hi" }] }).finalMessage();
    expect(final.content).toEqual([{ type: "text", text: "Hello" }] as any);
    const models = await oa.models.list();
    expect(models.data.map((m) => m.id)).toEqual(["up-model", "claude-test"]);
    const anModels = await an.models.list();
    expect(anModels.data.map((m) => m.id)).toEqual(["up-model", "claude-test"]);
  });
});

describe("Claude Code CLI", () => {
  test("claude -p completes a turn through the binary against a mock Anthropic backend", async () => {
    const home = mkdtempSync(join(tmpdir(), "octollm-cc-"));
    const before = upstream.seen.length;
    const proc = Bun.spawn([join(root, "node_modules/.bin/claude"), "-p", "say hello"], {
      cwd: home,
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
      env: {
        PATH: process.env.PATH!,
        HOME: home,
        ANTHROPIC_BASE_URL: gw.url,
        ANTHROPIC_AUTH_TOKEN: "tok-cc-123",
        ANTHROPIC_MODEL: "claude-test",
        ANTHROPIC_DEFAULT_HAIKU_MODEL: "claude-test",
        ANTHROPIC_SMALL_FAST_MODEL: "claude-test",
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      },
    });
    const timer = setTimeout(() => proc.kill(), 90_000);
    const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    clearTimeout(timer);
    expect({ code, out: out.trim(), err }).toEqual({ code: 0, out: "Hello", err: "" });
    const calls = upstream.seen.slice(before);
    const main = calls.find((c) => c.path.startsWith("/v1/messages"))!;
    expect(main.path).toBe("/v1/messages?beta=true");
    expect(main.headers.authorization).toBeUndefined(); // the client's token stays at the gateway
    expect(main.headers["x-api-key"]).toBe("sk-from-env");
    expect(main.headers["anthropic-beta"]).toContain("claude-code");
  }, 120_000);
});
