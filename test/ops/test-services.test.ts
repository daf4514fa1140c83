// #24.4: `npm test` outside CI skips exactly the files whose services do not answer, and says so in one line;
// with OCTOLLM_TEST_SERVICES=required (CI) a missing service fails the run instead.
// needs: redis, postgres (its last case checks that nothing is skipped when both answer)
import { expect, test } from "bun:test";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = mkdtempSync(join(tmpdir(), "octollm-svc-"));
mkdirSync(join(root, "test/a"), { recursive: true });
writeFileSync(
  join(root, "test/a/r.test.ts"),
  `// a suite\n// needs: redis (skipped when it is not reachable)\nimport { test } from "bun:test";\ntest("r", () => {});\n`,
);
writeFileSync(join(root, "test/a/p.test.ts"), `// needs: postgres\nimport { test } from "bun:test";\ntest("p", () => {});\n`);
writeFileSync(join(root, "test/a/n.test.ts"), `import { test } from "bun:test";\ntest("n", () => {});\n`);

const run = (env: Record<string, string>) =>
  Bun.spawnSync(
    [
      process.execPath,
      "-e",
      `const { serviceArgs } = await import(${JSON.stringify(resolve("scripts/test-services.ts"))}); try { console.log(JSON.stringify(await serviceArgs(${JSON.stringify(root)}))); } catch (e) { console.log("ERR " + e.message); }`,
    ],
    {
      env: { ...process.env, ...env },
    },
  ).stdout.toString();

test("a service that does not answer skips exactly the files that need it, with one line saying how to run them", () => {
  const out = JSON.parse(run({ OCTOLLM_TEST_REDIS_PORT: "9", OCTOLLM_TEST_SERVICES: "" }));
  expect(out.args).toEqual(["--path-ignore-patterns=test/a/r.test.ts"]);
  expect(out.note).toContain("redis at 127.0.0.1:9 did not answer: skipped 1 test files that need it (test/a/r.test.ts)");
  expect(out.note).toContain("OCTOLLM_TEST_SERVICES=required");
});

test("with OCTOLLM_TEST_SERVICES=required a missing service is an error; with every service up nothing is skipped", () => {
  expect(run({ OCTOLLM_TEST_REDIS_PORT: "9", OCTOLLM_TEST_SERVICES: "required" })).toStartWith("ERR test services not reachable: redis at 127.0.0.1:9");
  expect(JSON.parse(run({ OCTOLLM_TEST_SERVICES: "", OCTOLLM_TEST_REDIS_PORT: "6379", OCTOLLM_TEST_PG_PORT: "5432" }))).toEqual({ args: [] });
});
