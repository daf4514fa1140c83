// A YAML file that points at a config database holds only `server`.
import { expect, test } from "bun:test";
import { formatProblem, loadConfigText } from "../../src/config";

test("with server.config_db, backends, models and users belong in the database", () => {
  const ok = loadConfigText(`server: { config_db: "sqlite://x.db", port: 9000 }\n`, {});
  expect(ok.ok && ok.config.server.config_db).toBe("sqlite://x.db");
  const r = loadConfigText(`server: { config_db: "sqlite://x.db" }\nmodels:\n  m:\n    backends: { "default:1": { provider: mock } }\n`, {});
  expect(r.ok ? [] : r.problems.map((p) => formatProblem("b.yaml", p))).toEqual([
    "b.yaml:2:1 models: with server.config_db, models come from the database: remove them here (octollm config import moves them there)",
  ]);
});

test("a problem read from a database has a path and no line", () => {
  expect(formatProblem("postgres://h/db", { line: 0, col: 0, path: "models.m.access", message: "bad" })).toBe("postgres://h/db models.m.access: bad");
});
