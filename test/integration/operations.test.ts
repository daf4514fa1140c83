// Operations: exact metrics after a scripted set of requests, readiness, a graceful shutdown with a stream
// open, no secret in logs or metrics, and the start-up summary and `octollm models`.
import { $ } from "bun";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { buildGateway, LiveConfig, loadConfigText } from "../../src/config";
import { GatewayMetrics } from "../../src/metrics";
import { AccessLog, startServer } from "../../src/server";
import { startServe } from "../helpers/binary";

import { freshSqlitePath } from "../helpers/databases";
import { startMockUpstream } from "../helpers/mock-upstream";
import { postJson } from "../helpers/requests";

const root = resolve(import.meta.dir, "../..");
/** `octollm serve -c file` on a free port of 127.0.0.1, with extra flags. */
const serveFile = (file: string, ...flags: string[]) =>
  startServe([process.execPath, join(root, "src/cli/main.ts"), "serve", "-c", file, "--host", "127.0.0.1", "--port", "0", ...flags]);

/** The value of one sample line of a Prometheus text, or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split("\n")) {
    if (line.startsWith("#") || !line.startsWith(name)) continue;
    const m = /^([a-z_]+)(\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = m[3] ? m[3].split(/,(?=[a-z_]+=")/) : [];
    if (want.length === have.length && want.every((w) => have.includes(w))) return Number(m[4]);
  }
  return undefined;
}

describe("metrics", () => {
  let upstream: ReturnType<typeof startMockUpstream>;
  let server: ReturnType<typeof startServer>;
  let url = "";
  let failNext = 0;
  beforeAll(() => {
    upstream = startMockUpstream(() => (failNext-- > 0 ? { status: 503, body: `{"error":{"message":"busy"}}` } : {}));
    const yaml = `
models:
  gpt:
    default_org_limits: { rpm: 2 }
    backends:
      default:1:a: { base_url: "${upstream.url}", api_key: sk-upstream-secret-1 }
      default:1:b: { base_url: "${upstream.url}", api_key: sk-upstream-secret-1 }
  claude:
    backends:
      default:1: { base_url: "${upstream.url}" }
users:
  acme:
    api_keys: { alice: sk-acme-alice-secret }
`;
    const loaded = loadConfigText(yaml, {});
    if (!loaded.ok) throw new Error("bad config");
    const live = new LiveConfig({ label: "test", load: async () => loaded }, loaded.config, 7);
    const metrics = new GatewayMetrics({
      models: () => new Set(["gpt", "claude"]),
      orgs: () => new Set(["acme"]),
      backends: () => new Set(["default:1:a", "default:1:b", "default:1"]),
      configVersion: () => live.version,
      reloadFailures: () => 2,
      version: "9.9.9",
    });
    const log = new AccessLog({ write: () => {} }, true, [metrics]);
    const gateway = buildGateway(loaded.config, {});
    server = startServer(() => gateway, { host: "127.0.0.1", port: 0, maxBodyBytes: 1 << 20, accessLog: log, metrics: () => metrics.render() });
    url = `http://127.0.0.1:${server.port}`;
  });
  afterAll(() => {
    server.stop(true);
    upstream.stop();
  });

  test("counts and labels are exact after a scripted set of requests", async () => {
    const post = (path: string, body: object, key?: string) => postJson(url, path, body, { key });
    const chat = { model: "gpt", messages: [{ role: "user", content: "hi" }] };
    expect((await post("/v1/chat/completions", chat, "sk-acme-alice-secret")).status).toBe(200); // 1: usage 5 in, 4 out
    expect(await (await post("/v1/chat/completions", { ...chat, stream: true }, "sk-acme-alice-secret")).text()).toContain("[DONE]"); // 2: stream, usage 5/2
    failNext = 1;
    expect((await post("/v1/chat/completions", chat)).status).toBe(200); // 3: one 503, then the other backend
    expect((await post("/v1/chat/completions", chat, "sk-acme-alice-secret")).status).toBe(429); // acme used its 2 rpm
    expect((await post("/v1/messages", { model: "claude", max_tokens: 5, messages: [{ role: "user", content: "hi" }] })).status).toBe(200);
    expect((await post("/v1/chat/completions", { ...chat, model: "nope-sk-secret-model-name" })).status).toBe(404);
    const text = await (await fetch(url + "/metrics")).text();
    expect(
      sample(text, "octollm_requests_total", { model: "gpt", backend: "default:1:a", status: "200", protocol: "openai" })! +
        sample(text, "octollm_requests_total", { model: "gpt", backend: "default:1:b", status: "200", protocol: "openai" })!,
    ).toBe(3);
    expect(sample(text, "octollm_requests_total", { model: "claude", backend: "default:1", status: "200", protocol: "anthropic" })).toBe(1);
    expect(sample(text, "octollm_requests_total", { model: "(other)", backend: "(none)", status: "404", protocol: "openai" })).toBe(1);
    expect(sample(text, "octollm_tokens_total", { model: "gpt", org: "acme", direction: "input" })).toBe(10);
    expect(sample(text, "octollm_tokens_total", { model: "gpt", org: "acme", direction: "output" })).toBe(6);
    expect(sample(text, "octollm_tokens_total", { model: "gpt", org: "(anonymous)", direction: "output" })).toBe(4);
    expect(sample(text, "octollm_retries_total", { model: "gpt" })).toBe(1);
    expect(
      (sample(text, "octollm_upstream_errors_total", { model: "gpt", backend: "default:1:a", kind: "http_503" }) ?? 0) +
        (sample(text, "octollm_upstream_errors_total", { model: "gpt", backend: "default:1:b", kind: "http_503" }) ?? 0),
    ).toBe(1);
    expect(sample(text, "octollm_rate_limited_total", { model: "gpt", scope: "org" })).toBe(1);
    expect(sample(text, "octollm_time_to_first_token_seconds_count", { model: "gpt", protocol: "openai" })).toBe(1);
    expect(sample(text, "octollm_request_duration_seconds_count", { model: "gpt", protocol: "openai" })).toBe(4);
    expect(sample(text, "octollm_streams_in_flight")).toBe(0);
    expect(sample(text, "octollm_config_version")).toBe(7);
    expect(sample(text, "octollm_config_reload_failures_total")).toBe(2);
    expect(sample(text, "octollm_build_info", { version: "9.9.9" })).toBe(1);
    for (const secret of ["sk-acme-alice-secret", "sk-upstream-secret-1", "nope-sk-secret", "alice"]) expect(text).not.toContain(secret);
  });
});

describe("the gateway process", () => {
  let upstream: ReturnType<typeof startMockUpstream>;
  beforeAll(
    () =>
      (upstream = startMockUpstream((req) =>
        req.headers.authorization?.includes("bad") ? { status: 401, body: `{"error":{"message":"Incorrect API key provided: sk-upstr***"}}` } : {},
      )),
  );
  afterAll(() => upstream.stop());

  test("SIGTERM: new connections are refused, the open stream completes, the process exits 0", async () => {
    const file = join(freshSqlitePath().replace(/config\.db$/, ""), "c.yaml");
    writeFileSync(
      file,
      `server: { shutdown_grace_ms: 10000 }\nmodels:\n  slow:\n    backends:\n      default:1: { provider: mock, mock: { text: "one two three four five six seven eight", chunks: 8, chunk_delay_ms: 100 } }\n`,
    );
    const gw = await serveFile(file, "--log-format", "json");
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      body: JSON.stringify({ model: "slow", stream: true, messages: [{ role: "user", content: "x" }] }),
    });
    const body = res.text();
    await Bun.sleep(150);
    gw.proc.kill("SIGTERM");
    await Bun.sleep(100);
    const refused = await fetch(`${gw.url}/healthz`).then(
      () => "served",
      (e) => e.code,
    );
    expect(refused).toBe("ECONNREFUSED");
    const text = await body;
    expect(text).toContain("eight");
    expect(text.trim().endsWith("data: [DONE]")).toBe(true);
    expect(await gw.proc.exited).toBe(0);
    expect(gw.stderr()).toContain('"msg":"shutting down: new connections are refused; answers in flight may finish"');
    expect(gw.stderr()).toContain('"drained":true');
  });

  test("logs and metrics hold no API key, upstream key or password, whatever happens", async () => {
    const dir = freshSqlitePath().replace(/config\.db$/, "");
    const file = join(dir, "c.yaml");
    writeFileSync(
      file,
      `
backends:
  up: { base_url: "${upstream.url}", api_key: sk-upstream-very-secret }
models:
  m: { access: internal, backends: { "default:1": { use: up } } }
  bad: { backends: { "default:1": { base_url: "${upstream.url}", api_key: sk-bad-upstream-secret } } }
  dead: { backends: { "default:1": { base_url: "http://user:hunter2pw@127.0.0.1:9", connect_timeout_ms: 500 } } }
users:
  acme: { api_keys: { alice: sk-client-alice-secret } }
`,
    );
    const gw = await serveFile(file, "--log-level", "debug");
    const post = (model: string, key: string) => postJson(gw.url, "/v1/chat/completions", { model, messages: [{ role: "user", content: "hi" }] }, { key });
    expect((await post("m", "sk-client-alice-secret")).status).toBe(200);
    expect((await post("m", "sk-wrong-client-key")).status).toBe(401);
    await post("bad", "sk-client-alice-secret");
    await post("dead", "sk-client-alice-secret");
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    await gw.stop();
    const everything = gw.stdout() + gw.stderr() + metrics;
    expect(gw.stdout()).toContain('"msg":"access"');
    expect(gw.stdout()).toContain('"org":"acme","user":"alice"');
    for (const secret of ["sk-client-alice-secret", "sk-wrong-client-key", "sk-upstream-very-secret", "sk-bad-upstream-secret", "hunter2pw"])
      expect(everything).not.toContain(secret);
  });

  test("start-up summary, /readyz with an unreachable Redis, and octollm models", async () => {
    const file = join(freshSqlitePath().replace(/config\.db$/, ""), "c.yaml");
    writeFileSync(
      file,
      `server: { redis_url: "redis://127.0.0.1:9" }\nmodels:\n  m:\n    default_org_limits: { rpm: 10 }\n    backends:\n      default:2: { provider: mock }\n      default:1: { base_url: "https://api.example.com" }\n`,
    );
    const gw = await serveFile(file);
    try {
      for (let i = 0; i < 200 && !gw.stderr().includes("→ https://api.example.com"); i++) await Bun.sleep(10); // the summary follows the listening line
      expect(gw.stderr()).toContain("  limits     Redis (shared)");
      expect(gw.stderr()).toMatch(/default:1 +weight 1 +→ https:\/\/api\.example\.com/);
      const ready = await fetch(`${gw.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ status: "not ready", checks: { config: "ok", limits_store: "unreachable" } });
      expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
    } finally {
      await gw.stop();
    }
    const models = await $`${process.execPath} ${join(root, "src/cli/main.ts")} models -c ${file}`.quiet();
    expect(models.stdout.toString()).toBe(
      [
        "m (public; limits)",
        "  default:2        weight 2   → mock",
        "                                no price: costs are not counted",
        "  default:1        weight 1   → https://api.example.com",
        "                                no price: costs are not counted",
        "",
      ].join("\n"),
    );
  });
});
