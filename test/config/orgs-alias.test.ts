// `orgs:` is the name of what `users:` holds (#13.6): both load the same config; problems point at the key the
// file wrote; the two together are refused; validate notes the preferred name.
import { expect, test } from "bun:test";
import { loadConfigText, loadConfigValue } from "../../src/config";

const body = (key: string) =>
  `models:\n  m:\n    access: private\n    backends:\n      default:1: { provider: mock }\n${key}:\n  acme:\n    api_keys: { alice: sk-acme-alice-key }\n    models: { m: }\n`;

test("orgs: and users: load the same config; only users: gets a note", () => {
  const orgs = loadConfigText(body("orgs"));
  const users = loadConfigText(body("users"));
  expect(orgs.ok && users.ok).toBe(true);
  if (!orgs.ok || !users.ok) return;
  expect(orgs.config.users).toEqual(users.config.users);
  expect(orgs.notes).toBeUndefined();
  expect(users.notes?.[0]).toContain("orgs: (preferred)");
  const value = loadConfigValue(
    { models: { m: { backends: { "default:1": { provider: "mock" } } } }, orgs: { acme: { api_keys: { alice: "sk-acme-alice-key" } } } },
    {},
  );
  expect(value.ok && value.config.users.acme?.api_keys.alice).toBe("sk-acme-alice-key");
});

test("a problem under orgs: is reported at orgs:, with its line", () => {
  const r = loadConfigText(body("orgs").replace("models: { m: }", "models: { nope: }"));
  expect(r.ok).toBe(false);
  if (r.ok) return;
  expect(r.problems[0]).toMatchObject({ line: 9, path: "orgs.acme.models.nope" });
});

test("orgs: and users: together are refused", () => {
  const r = loadConfigText(body("orgs") + "users: {}\n");
  expect(r.ok).toBe(false);
  if (!r.ok) expect(r.problems.map((p) => p.message).join()).toContain("not both");
});
