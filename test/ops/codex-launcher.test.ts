// The Codex launcher's arguments: the provider overrides everywhere; in the terminal UI (codex, resume, fork)
// also --no-daemon and the catalog's model migrations marked as seen; exec and review get neither.
import { expect, test } from "bun:test";
import { bundledMigrations, codexArgs } from "../../src/cli/codex";
import { codexTraceArgs } from "../../src/cli/trace-env";
import { CODEX_BIN } from "../helpers/codex-cli";

const URL = "http://127.0.0.1:9999";
const MIGRATIONS = { "gpt-5.5": "gpt-6-sol" };
const seen = ["-c", 'notice.model_migrations={"gpt-5.5"="gpt-6-sol"}'];

test("the terminal UI: overrides, --no-daemon and the migrations seen, then the user's arguments", () => {
  const args = codexArgs(URL, ["-m", "gpt-5.5"], MIGRATIONS);
  expect(args.slice(-5)).toEqual(["--no-daemon", ...seen, "-m", "gpt-5.5"]);
  expect(args).toContain('model_providers.octollm.base_url="http://127.0.0.1:9999/v1"');
  const resume = codexArgs(URL, ["resume", "abc"], MIGRATIONS);
  expect([resume[0], ...resume.slice(-4)]).toEqual(["resume", "--no-daemon", ...seen, "abc"]);
  expect(codexArgs(URL, ["fork", "--last"], {}).slice(-2)).toEqual(["--no-daemon", "--last"]);
  expect(codexArgs(URL, ["--no-daemon"], {}).filter((a) => a === "--no-daemon")).toHaveLength(1); // not said twice
});

test("exec and review take neither (no such flag there, and no prompt to hide)", () => {
  for (const sub of ["exec", "e", "review"]) {
    const args = codexArgs(URL, [sub, "hi"], MIGRATIONS);
    expect(args[0]).toBe(sub);
    expect(args).not.toContain("--no-daemon");
    expect(args.join(" ")).not.toContain("model_migrations");
  }
});

test("the pinned Codex's catalog names gpt-5.5's suggested successor; a missing codex gives none", () => {
  expect(bundledMigrations(CODEX_BIN)["gpt-5.5"]).toBe("gpt-6-sol");
  expect(bundledMigrations("/nonexistent/codex")).toEqual({});
});

test("--trace: one -c override naming the collector (TOML strings quoted), after the provider overrides", () => {
  const config = { server: { otel: { endpoint: "http://127.0.0.1:4318", headers: { 'x-"k"': "a=b" } } } } as never;
  const trace = codexTraceArgs(config, {});
  expect(trace).toEqual(["-c", 'otel.trace_exporter={otlp-http={endpoint="http://127.0.0.1:4318/v1/traces",protocol="json",headers={"x-\\"k\\""="a=b"}}}']);
  const args = codexArgs(URL, ["exec", "hi"], {}, trace);
  expect(args[0]).toBe("exec");
  expect(args.slice(-3)).toEqual([...trace, "hi"]);
  expect(() => codexTraceArgs(undefined, {})).toThrow("--trace needs a collector");
});
