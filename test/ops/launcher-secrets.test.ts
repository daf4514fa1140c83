// #23.19: the launchers' log file is private (0600, in a 0700 directory of its own) and never written through a
// symbolic link; the client they start gets none of the gateway's own secrets.
import { expect, test } from "bun:test";
import { mkdtempSync, statSync, symlinkSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { clientEnv, openLogFile } from "../../src/cli/launch";
import { loadConfigText } from "../../src/config";

test("the log file is created 0600 and a symbolic link in its place is refused", () => {
  const dir = mkdtempSync(join(tmpdir(), "octollm-log-"));
  const path = join(dir, "gateway.log");
  openLogFile(path);
  expect(statSync(path).mode & 0o777).toBe(0o600);
  const victim = join(dir, "victim");
  writeFileSync(victim, "precious");
  symlinkSync(victim, join(dir, "link.log"));
  expect(() => openLogFile(join(dir, "link.log"))).toThrow();
  expect(readFileSync(victim, "utf8")).toBe("precious");
});

test("the client's environment has none of the gateway's secrets, and keeps the rest", () => {
  const loaded = loadConfigText(
    `server: { admin_key: "admin-key-0123456789abcdef" }\nbackends:\n  a: { base_url: "http://x", api_key: "\${UPSTREAM_KEY}" }\nmodels:\n  m: { backends: { "default:1": { use: a } } }\n`,
    { UPSTREAM_KEY: "sk-upstream-operator-key" },
  );
  if (!loaded.ok) throw new Error("bad config");
  const base = {
    PATH: "/usr/bin",
    HOME: "/home/u",
    OCTOLLM_ADMIN_KEY: "admin-key-0123456789abcdef",
    OCTOLLM_METRICS_KEY: "metrics-key-0123456789",
    OCTOLLM_SIGNING_SECRET: "signing",
    UPSTREAM_KEY: "sk-upstream-operator-key",
  };
  const env = clientEnv(base, { ANTHROPIC_BASE_URL: "http://127.0.0.1:1" }, loaded.config);
  expect(env).toEqual({ PATH: "/usr/bin", HOME: "/home/u", ANTHROPIC_BASE_URL: "http://127.0.0.1:1" });
});
