// Many secrets hidden in one pass (the access log redacts every line; orgs may hold thousands of keys): property
// test against searching for each secret in turn; overlapping secrets are hidden together, never left partly shown.
import { expect, test } from "bun:test";
import { Logger } from "../../src/core";
import { SecretIndex } from "../../src/core/secret-index";

const sequential = (text: string, secrets: string[]) => {
  let out = text;
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) out = out.replaceAll(s, "***");
  return out;
};
const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)]!;

test("property: every occurrence of every secret is hidden; without overlaps, the same line as one search per secret", () => {
  const alphabet = "abcdef0123-_";
  const word = (n: number) => Array.from({ length: n }, () => pick([...alphabet])).join("");
  for (let round = 0; round < 300; round++) {
    const secrets = [...new Set(Array.from({ length: 1 + (round % 40) }, () => `sk-${word(3 + Math.floor(Math.random() * 12))}`))];
    const parts = Array.from({ length: 20 }, () => (Math.random() < 0.4 ? pick(secrets) : word(Math.floor(Math.random() * 10))));
    const text = parts.join(pick(["", " ", '","', "="]));
    const sorted = [...secrets].sort((a, b) => b.length - a.length);
    const out = new SecretIndex(sorted).redact(text);
    for (const s of secrets) expect(out.includes(s)).toBe(false);
    const overlapping = secrets.some((a) => secrets.some((b) => a !== b && (a.includes(b) || b.includes(a.slice(-3)))));
    if (!overlapping) expect(out).toBe(sequential(text, secrets));
  }
});

test("overlapping secrets: the whole run is hidden (one search per secret would leave part of one shown)", () => {
  const index = new SecretIndex(["ef12345678", "abcdef12"]);
  expect(index.redact("x abcdef12345678 y")).toBe("x *** y");
  expect(index.redact("no secret here")).toBe("no secret here");
  expect(index.redact("abcdef12")).toBe("***");
});

test("a logger with thousands of secrets (past the index's threshold) hides them in access lines", () => {
  const logger = new Logger(() => {});
  const keys = Array.from({ length: 3000 }, (_, i) => `sk-org-key-${i}-${"x".repeat(i % 7)}`);
  logger.setSecrets(keys);
  const line = JSON.stringify({ msg: "access", echoed: `${keys[0]} and ${keys[2999]} and ${keys[1500]}`, bearer: "Bearer abcdefghijk" });
  const out = logger.redact(line);
  for (const k of [keys[0]!, keys[2999]!, keys[1500]!]) expect(out).not.toContain(k);
  expect(out).toContain("Bearer ***");
});
