// #12.4, #12.10, #12.13, #12.16, #12.19, #12.20, #12.22: configs that validate must serve; secrets never printed;
// one process per port; logs safe for a terminal; metrics closed when asked.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { loadConfigText, redactUrl, upstreamKeyUse } from "../../src/config";
import { ConnectProbe } from "../../src/engines";
import { Logger, escapeControls } from "../../src/core";
import { startServe, type GatewayProcess } from "../helpers/binary";
import { startMockUpstream } from "../helpers/mock-upstream";

const root = resolve(import.meta.dir, "../..");
const dir = mkdtempSync(join(tmpdir(), "octollm-sec-"));
const problems = (yaml: string, env: Record<string, string> = {}) => {
  const r = loadConfigText(yaml, env);
  return r.ok ? [] : r.problems.map((p) => `${p.line}:${p.col} ${p.path}: ${p.message}`);
};
const backend = (fields: string) => `models:\n  m:\n    backends:\n      default:1: { ${fields} }\n`;

describe("configs that validate can serve", () => {
  test("only http(s) URLs with a host: base_url, http_proxy, moderation url", () => {
    for (const url of ["file:///etc/passwd", "http://", "ftp://h/x", "unix:/var/run/x.sock", "javascript:alert(1)"]) {
      expect(problems(backend(`base_url: "${url}"`)).join()).toContain("must be an http:// or https:// URL with a host");
      expect(problems(backend(`base_url: "http://h", http_proxy: "${url}"`)).join()).toContain("http_proxy: must be an http:// or https:// URL with a host");
    }
    expect(problems(backend(`base_url: "http://h"`) + `    moderation: { url: "http://" }\n`).join()).toContain("moderation.url: must be an http");
    expect(problems(backend(`base_url: "https://[::1]:8443/v1"`))).toEqual([]);
  });

  test("a connect probe to a host Bun cannot even try fails fast and leaves no timer behind", async () => {
    const probe = new ConnectProbe("", 80, 200);
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on("unhandledRejection", onUnhandled);
    await expect(probe.check()).rejects.toThrow(/connect to/);
    await Bun.sleep(400); // past the deadline: it must not reject on its own
    process.off("unhandledRejection", onUnhandled);
    expect(unhandled).toEqual([]);
  });

  test("a pool whose weights are all 0, and a rule whose weights are all 0, are refused", () => {
    expect(problems(`models:\n  m:\n    backends:\n      default:0: { provider: mock }\n`).join()).toContain("weight 0");
    expect(
      problems(
        `models:\n  m:\n    default_rules: [{ name: r, forward_weights: { b: 0 } }]\n    backends:\n      default:1: { provider: mock }\n      b: { provider: mock }\n`,
      ).join(),
    ).toContain("every weight is 0");
    expect(problems(`models:\n  m:\n    backends:\n      default:0: { provider: mock }\n      default:1:x: { provider: mock }\n`)).toEqual([]);
  });

  test("header names with spaces and values with CR, LF or NUL are refused", () => {
    expect(problems(backend(`base_url: "http://h", extra_headers: { "x bad": "v" }`)).join()).toContain("valid header name");
    expect(problems(backend(`base_url: "http://h", extra_headers: { x-ok: "a\\r\\nx-injected: 1" }`)).join()).toContain("CR, LF or NUL");
    expect(problems(backend(`base_url: "http://h", extra_headers: { x-ok: "\${V}" }`), { V: "a\nb" }).join()).toContain("CR, LF or NUL");
  });
});

describe("secrets", () => {
  test("a key that a reload brings in is hidden in the gateway's log from then on, and the first config's still is", async () => {
    const { createGateway } = await import("../../src/gateway");
    const dir = mkdtempSync(join(tmpdir(), "octollm-reload-secret-"));
    const file = join(dir, "config.yaml");
    const withKey = (key: string) => `models:\n  m:\n    backends:\n      "default:1": { base_url: "http://127.0.0.1:9", api_key: "${key}" }\n`;
    writeFileSync(file, withKey("sk-first-secret-0001"));
    const lines: string[] = [];
    const logger = new Logger((line) => void lines.push(line));
    const gw = await createGateway({ source: { file, watch: false }, env: {}, logger, accessLog: { sink: { write: () => {} } } });
    try {
      writeFileSync(file, withKey("sk-second-secret-0002"));
      expect(await gw.reload("test")).toBe(true);
      logger.error("upstream echoed", { body: "sk-second-secret-0002 and sk-first-secret-0001" });
      const said = lines.join("");
      expect(said).toContain("upstream echoed");
      expect(said).not.toContain("sk-second-secret-0002");
      expect(said).not.toContain("sk-first-secret-0001"); // rotated out, still hidden: a request on the old config may log it
      const bounded = new Logger(() => {});
      bounded.addSecrets(Array.from({ length: 10_005 }, (_, i) => `secret-${i}`));
      expect(bounded.redact("secret-10004 secret-4")).toBe("*** secret-4"); // the oldest went past the bound
    } finally {
      await gw.shutdown(0);
    }
  });

  test("database URLs: password in user info (even with an unencoded @) and in the query", () => {
    expect(redactUrl("postgres://u:p@ss@db:5432/x")).toBe("postgres://u:***@db:5432/x");
    expect(redactUrl("postgres://u@db/x?sslmode=require&password=hunter2")).toBe("postgres://u@db/x?sslmode=require&password=***");
    const log = new Logger(() => {});
    const line = log.render("error", "db down", { db: "postgres://u:p@ss@db/x?password=hunter2&sslpassword=k3y" }, "text");
    expect(line).not.toContain("hunter2");
    expect(line).not.toContain("ss@db");
    expect(line).not.toContain("k3y");
  });

  test("a numeric API key is never echoed by validation", () => {
    const out = problems(
      `models:\n  m:\n    backends:\n      default:1: { base_url: "http://h", api_key: 98765432 }\nusers:\n  acme:\n    api_keys: { alice: 12345678901 }\n`,
    ).join("\n");
    expect(out).toContain("quote it");
    expect(out).not.toContain("98765432");
    expect(out).not.toContain("12345678901");
  });

  test("an api_key that resolves empty sends no key; OCTOLLM_API_KEY only where api_key is not written", async () => {
    const up = startMockUpstream();
    try {
      const yaml = `
models:
  deepseek:
    backends: { "default:1": { base_url: "${up.url}", api_key: "\${DEEPSEEK_API_KEY:-}" } }
  plain:
    backends: { "default:1": { base_url: "${up.url}" } }
`;
      const env = { OCTOLLM_API_KEY: "sk-shared-fallback-key" };
      const r = loadConfigText(yaml, env);
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(upstreamKeyUse(r.config, env)).toEqual({ empty: ["deepseek/default:1"], fallback: ["plain/default:1"] });
      const { buildGateway } = await import("../../src/config");
      const { AccessLog, startServer } = await import("../../src/server");
      const gw = buildGateway(r.config, env);
      const server = startServer(() => gw, { host: "127.0.0.1", port: 0, maxBodyBytes: 1 << 20, accessLog: new AccessLog({ write() {} }) });
      try {
        for (const model of ["deepseek", "plain"]) {
          await fetch(`http://127.0.0.1:${server.port}/v1/chat/completions`, { method: "POST", body: JSON.stringify({ model, messages: [] }) });
        }
        expect(up.seen[0]!.headers.authorization).toBeUndefined();
        expect(up.seen[1]!.headers.authorization).toBe("Bearer sk-shared-fallback-key");
      } finally {
        server.stop(true);
      }
    } finally {
      up.stop();
    }
  });
});

test("text logs escape control characters from client input", () => {
  const lines: string[] = [];
  const log = new Logger((l) => lines.push(l));
  log.format = "text";
  log.info("access", { model: "\u001b]0;pwned\u0007", path: "/v1/x\r\nFAKE LINE" });
  expect(lines[0]).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
  expect(lines[0]).toContain("\\u001b]0;pwned\\u0007");
  expect(escapeControls("a\u009bb")).toBe("a\\u009bb");
});

describe("the serve command", () => {
  const procs: GatewayProcess[] = [];
  afterAll(async () => {
    for (const p of procs) await p.stop();
  });
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const cmd = (config: string, ...more: string[]) => [process.execPath, join(root, "src/cli/main.ts"), "serve", "-c", config, "--host", "127.0.0.1", ...more];

  test("a second gateway on a port in use fails with one line instead of sharing the port", async () => {
    const config = file("mock.yaml", `models:\n  m:\n    backends:\n      default:1: { provider: mock }\n`);
    const first = await startServe([...cmd(config), "--port", "0"]);
    procs.push(first);
    const port = new URL(first.url).port;
    const second = Bun.spawn(cmd(config, "--port", port), { stdout: "pipe", stderr: "pipe" });
    const code = await second.exited;
    const err = await new Response(second.stderr).text();
    expect(code).not.toBe(0);
    expect(err).toContain("already in use");
    expect(err.trim().split("\n").length).toBeLessThanOrEqual(2);
  });

  test("/metrics needs server.metrics_key when one is set", async () => {
    const config = file(
      "metrics.yaml",
      `server: { metrics_key: "metrics-key-0123456789" }\nmodels:\n  private-model-name:\n    backends:\n      default:1: { provider: mock }\n`,
    );
    const gw = await startServe([...cmd(config), "--port", "0"]);
    procs.push(gw);
    const open = await fetch(`${gw.url}/metrics`);
    expect(open.status).toBe(401);
    expect(await open.text()).not.toContain("private-model-name");
    expect((await fetch(`${gw.url}/metrics`, { headers: { authorization: "Bearer wrong-key-0123456789!" } })).status).toBe(401);
    const ok = await fetch(`${gw.url}/metrics`, { headers: { authorization: "Bearer metrics-key-0123456789" } });
    expect(ok.status).toBe(200);
  });

  test("an unhandled rejection in the process is logged and the gateway keeps serving", async () => {
    // a backend whose connect probe could once crash the process: the request fails, the gateway stays up
    const config = file(
      "probe.yaml",
      `models:\n  m:\n    backends:\n      default:1: { base_url: "http://127.0.0.1:9", connect_timeout_ms: 100 }\n  ok:\n    backends:\n      default:1: { provider: mock }\n`,
    );
    const gw = await startServe([...cmd(config), "--port", "0"]);
    procs.push(gw);
    const r = await fetch(`${gw.url}/v1/chat/completions`, { method: "POST", body: JSON.stringify({ model: "m", messages: [] }) });
    expect(r.status).toBe(502);
    await Bun.sleep(300);
    expect(gw.proc.exitCode).toBeNull();
    const ok = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      body: JSON.stringify({ model: "ok", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(ok.status).toBe(200);
  });
});

test("a reload never applies a file that is still being rewritten in place (#12.14)", async () => {
  const { fileLoader } = await import("../../src/config");
  const path = join(dir, "rewritten.yaml");
  const full = `models:\n  a:\n    backends:\n      default:1: { provider: mock }\n  b:\n    backends:\n      default:1: { provider: mock }\n`;
  const half = full.slice(0, full.indexOf("  b:")); // valid YAML on its own: only model a
  writeFileSync(path, half);
  setTimeout(() => writeFileSync(path, full), 50);
  const result = await fileLoader(path).load();
  expect(result.ok).toBe(true);
  if (result.ok) expect(Object.keys(result.config.models)).toEqual(["a", "b"]);
});
