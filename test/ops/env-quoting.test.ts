// #23.14, #23.18: `octollm env` prints values each shell reads back exactly, whatever they hold (quotes, backslashes,
// `\'`, typographic quotes, `$(…)`), refuses values no shell line can carry (control characters), and names
// https:// for a gateway with server.tls.
import { expect, test } from "bun:test";
import { exportLines } from "../../src/cli/claude";

const NASTY = ["plain", "it's", "a\\'b; touch /tmp/octollm-pwned-$$", "back\\\\slash\\", "$(id) `id` ${HOME}", "’‘ curly ‚‛", "'; echo hi; '"];

/** What the shell prints for $K after running the lines. */
function roundTrip(shell: string, line: string): string {
  const script = shell === "fish" ? `${line}; printf '%s' "$K"` : `${line}\nprintf '%s' "$K"`;
  const r = Bun.spawnSync([shell, "-c", script], { env: { PATH: process.env.PATH ?? "" } });
  return r.stdout.toString();
}

for (const shell of ["bash", "dash", "fish"]) {
  const present = Bun.which(shell) !== null;
  test.if(present)(`${shell} reads back every value exactly, and runs nothing`, () => {
    for (const value of NASTY) {
      const [line] = exportLines({ K: value }, shell === "dash" ? "sh" : shell)!;
      expect(roundTrip(shell, line!)).toBe(value);
    }
  });
}

test("PowerShell single quotes: every quote character it honours is doubled", () => {
  const [line] = exportLines({ K: "a'b’c‘d" }, "powershell")!;
  expect(line).toBe("$env:K = 'a''b’’c‘‘d'");
});

test("control characters are refused, not printed", () => {
  expect(() => exportLines({ K: "a\nexport X=1" }, "bash")).toThrow("control character");
  expect(() => exportLines({ K: "a\u001b]0;x\u0007" }, "fish")).toThrow("control character");
});

test("octollm env prints https:// for a gateway with server.tls", async () => {
  const dir = `${process.env.TMPDIR ?? "/tmp"}/octollm-env-${process.pid}`;
  await Bun.write(
    `${dir}/c.yaml`,
    `server: { port: 8443, tls: { cert_file: ${dir}/c.pem, key_file: ${dir}/k.pem } }\nmodels:\n  m: { backends: { "default:1": { provider: mock } } }\n`,
  );
  const r = Bun.spawnSync([process.execPath, "src/cli/main.ts", "env", "-c", `${dir}/c.yaml`]);
  expect(r.stdout.toString()).toContain("export ANTHROPIC_BASE_URL='https://127.0.0.1:8443'");
});

test("#23.13: octollm usage escapes client-chosen names: a newline forges no row, an escape sequence reaches no terminal", async () => {
  const { formatReport } = await import("../../src/cli/usage");
  const text = formatReport(
    [{ model: "evil\nacme  999  0  0  0  0.0\u001b[2J\u001b]0;owned\u0007", requests: 1, errors: 0, tokens_in: 1, tokens_out: 1, cost_usd: 1 }],
    "model",
  );
  expect(text.split("\n").length).toBe(2);
  expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
  expect(text).toContain("\\u001b[2J");
});
