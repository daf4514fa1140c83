// The shared checks: secrets compared whole (a prefix, a longer string, another case never pass), and which
// hosts and addresses are loopback.
import { expect, test } from "bun:test";
import { isLoopback, sameSecret } from "../../src/core";

test("sameSecret: only the exact string", () => {
  expect(sameSecret("admin-key-0123456789", "admin-key-0123456789")).toBe(true);
  for (const given of ["admin-key-012345678", "admin-key-01234567890", "ADMIN-KEY-0123456789", "", "admin-key-0123456789 "])
    expect(sameSecret(given, "admin-key-0123456789")).toBe(false);
  expect(sameSecret("é", "e\u0301")).toBe(false); // compared as bytes, not as text that looks alike
});

test("isLoopback: 127/8, localhost, ::1 bare or bracketed, IPv4-mapped 127/8; nothing else", () => {
  for (const a of ["127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]", "::ffff:127.0.0.1"]) expect(isLoopback(a)).toBe(true);
  for (const a of ["0.0.0.0", "::", "10.0.0.1", "128.0.0.1", "localhost.evil.example", "::ffff:10.0.0.1", "1127.0.0.1", "", undefined])
    expect(isLoopback(a)).toBe(false);
});
