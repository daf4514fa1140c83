import { describe, expect, test } from "bun:test";
import { formatProblem, loadConfigText } from "../../src/config";

const problems = (yaml: string, env: Record<string, string> = {}) => {
  const r = loadConfigText(yaml, env);
  return r.ok ? [] : r.problems.map((p) => formatProblem("c.yaml", p));
};

describe("config loading", () => {
  test("a good config fills defaults", () => {
    const r = loadConfigText(`models:\n  m:\n    backends:\n      default:1:\n        provider: mock\n`);
    expect(r.ok).toBe(true);
    if (r.ok)
      expect(r.config.server).toEqual({
        host: "127.0.0.1",
        port: 8080,
        max_body_bytes: 33554432,
        max_response_bytes: 67108864,
        json_check_max_bytes: 65536,
        access_log: true,
        dashboard: true,
        redis_key_prefix: "octollm:",
        limits_on_store_error: "open",
        max_output_reservation: 4096,
        config_poll_ms: 500,
        log_level: "info",
        log_format: "auto",
        metrics: true,
        body_timeout_ms: 30000,
        shutdown_grace_ms: 30000,
        failover: { max_attempts: 3, budget_ms: 30000, failure_threshold: 3, cooldown_ms: 30000 },
      });
  });

  test("every problem is reported with file:line:col", () => {
    const yaml = [
      "server:",
      '  port: "80"', // 2: wrong type
      "  hots: x", // 3: unknown key
      "backends:",
      "  up:",
      "    base_url: not-a-url", // 6
      "models:",
      "  m:",
      "    backends:",
      "      default:1:",
      "        use: upp", // 11: unknown backend (reported once structure is valid)
    ].join("\n");
    expect(problems(yaml)).toEqual([
      `c.yaml:2:9 server.port: expected number, got "80"`,
      `c.yaml:3:3 server.hots: unknown key "hots"`,
      `c.yaml:6:15 backends.up.base_url: must be an http:// or https:// URL with a host`,
    ]);
    const second = yaml.replace(`port: "80"`, "port: 80").replace("  hots: x\n", "").replace("not-a-url", "http://x");
    expect(problems(second)).toEqual([`c.yaml:10:14 models.m.backends.default:1.use: unknown backend "upp" (known: up)`]);
  });

  test("cross checks: default pool, base_url after use, malformed pool names, mock settings", () => {
    const p = problems(`
backends:
  tmpl: { extra_headers: { x-a: "1" } }
models:
  a:
    backends:
      other: { provider: mock }
  b:
    backends:
      default:1: { use: tmpl }
      default:x: { provider: mock }
      default:2: { base_url: "http://h", mock: { text: hi } }
`);
    expect(p).toEqual([
      `c.yaml:7:7 models.a.backends: needs at least one backend named default:<weight>`,
      `c.yaml:10:18 models.b.backends.default:1: base_url is missing here and in the backend it uses`,
      `c.yaml:11:18 models.b.backends.default:x: backend name "default:x" must be default:<weight> or default:<weight>:<label>`,
      `c.yaml:12:48 models.b.backends.default:2.mock: mock settings need provider: mock`,
    ]);
  });

  test("YAML syntax errors and duplicate keys", () => {
    expect(problems("models:\n  m: 1\n  m: 2\n")[0]).toMatch(/^c\.yaml:3:3 yaml: Map keys must be unique/);
    expect(problems("models: [\n")[0]).toMatch(/^c\.yaml:\d+:\d+ yaml: /);
    expect(problems("")).toEqual([`c.yaml:1:1 models: at least one model is required`]);
  });

  test("${VAR} reads the environment, with defaults, escapes and typed plain values", () => {
    const yaml = `
server:
  port: \${PORT}
models:
  m:
    backends:
      default:1:
        base_url: "http://\${HOST:-localhost}:9000"
        api_key: \${KEY}
        extra_headers: { x-lit: "$\${KEEP}" }
`;
    const r = loadConfigText(yaml, { PORT: "9090", KEY: "sk-1" });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.server.port).toBe(9090);
    const b = r.config.models.m!.backends["default:1"]!;
    expect(b.base_url).toBe("http://localhost:9000");
    expect(b.api_key).toBe("sk-1");
    expect(b.extra_headers).toEqual({ "x-lit": "${KEEP}" });
    expect(problems(yaml, { PORT: "1" })).toEqual([`c.yaml:9:18 models.m.backends.default:1.api_key: environment variable KEY is not set`]);
  });
});

describe("routing config checks", () => {
  test("unknown forward_weights backend, unknown user model, duplicate key, bad expressions, bad paths", () => {
    const yaml = `
models:
  m:
    default_rules:
      - name: r1
        match: "RawReq.stream == true and (1"
        forward_weights: { nope: 1 }
    request_rewrites:
      set_keys_by_expr: { x: "Model =" }
      remove_keys: ["a..b"]
    backends:
      "default:1": { provider: mock }
users:
  o1:
    api_keys: { u1: same-key-123 }
    models:
      ghost:
  o2:
    api_keys: { u2: same-key-123 }
`;
    const p = problems(yaml);
    expect(p).toEqual([
      `c.yaml:6:16 models.m.default_rules.0.match: invalid expression: Expecting '-', '+', '*', '/', '^', 'mod', 'and', 'or', 'in', 'notIn', ')', ',', '%', '?', '==', '!=', '~=', '<', '<=', '>=', '>', got 'EndOfExpression' (at column 24 of the expression)`,
      `c.yaml:7:28 models.m.default_rules.0.forward_weights.nope: unknown backend "nope" of this model (known: default:1)`,
      `c.yaml:9:7 models.m.request_rewrites: invalid path "a..b": empty segment`,
      `c.yaml:9:30 models.m.request_rewrites.set_keys_by_expr.x: invalid expression: Lexical error on line 1. Unrecognized text. (at column 7 of the expression)`,
      `c.yaml:17:7 users.o1.models.ghost: unknown model "ghost" (known: m)`,
      `c.yaml:19:17 users.o2.api_keys.u2: this API key is already used by o1/u1`,
    ]);
  });
  test("rule keys are checked like every other key", () => {
    expect(
      problems(`models:\n  m:\n    default_rules:\n      - name: r\n        mtch: "true"\n    backends:\n      "default:1": { provider: mock }\n`),
    ).toEqual([`c.yaml:5:9 models.m.default_rules.0.mtch: unknown key "mtch"`]);
  });
});

describe("limit checks", () => {
  test("limit keys, types and positive values are reported with their positions", () => {
    const p = problems(`
models:
  m:
    default_org_limits: { rpm: 0, tpm: "lots", rpx: 5, concurrency: 1.5 }
    default_rules:
      - name: r
        rule_limits: { rpd: -1, deny_when_exceeding: "yes" }
    backends:
      "default:1": { provider: mock }
server:
  redis_url: "http://not-redis"
`);
    expect(p).toEqual([
      `c.yaml:4:32 models.m.default_org_limits.rpm: must be a positive integer`,
      `c.yaml:4:40 models.m.default_org_limits.tpm: expected number, got "lots"`,
      `c.yaml:4:48 models.m.default_org_limits.rpx: unknown key "rpx"`,
      `c.yaml:4:69 models.m.default_org_limits.concurrency: Invalid integer: Received 1.5`,
      `c.yaml:7:29 models.m.default_rules.0.rule_limits.rpd: must be a positive integer`,
      `c.yaml:7:54 models.m.default_rules.0.rule_limits.deny_when_exceeding: expected boolean, got "yes"`,
      `c.yaml:11:14 server.redis_url: must be a redis:// or rediss:// URL`,
    ]);
  });
});
