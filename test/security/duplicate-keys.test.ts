// #12.2: a body that names a top-level key twice cannot route one model and be served by another.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { indexTopLevel, LazyBody, scanTopLevel } from "../../src/core";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { startMockUpstream } from "../helpers/mock-upstream";
import { rng } from "../helpers/random";

const enc = (s: string) => new TextEncoder().encode(s);
let upstream: ReturnType<typeof startMockUpstream>;
let gw: TestGateway;
beforeAll(() => {
  upstream = startMockUpstream();
  gw = startGateway(`
backends:
  up: { base_url: "${upstream.url}" }
models:
  pub:
    backends: { "default:1": { use: up } }
  priv-b:
    access: private
    backends: { "default:1": { use: up, extra_headers: { x-route: private } } }
users:
  acme:
    api_keys: { alice: key-acme-alice-1 }
    models: { priv-b: }
`);
});
afterAll(() => {
  gw.stop();
  upstream.stop();
});

const filler = "x".repeat(70_000);

describe("duplicate top-level keys", () => {
  for (const [name, pad] of [
    ["a large body (fast path)", filler],
    ["a small body (parsed at the edge)", "x"],
  ] as const) {
    for (const [route, path] of [
      ["chat", "/v1/chat/completions"],
      ["messages", "/v1/messages"],
    ] as const) {
      test(`${name} on ${route} is refused before routing`, async () => {
        const before = upstream.seen.length;
        const text = `{"model":"pub","max_tokens":5,"messages":[{"role":"user","content":"${pad}"}],"model":"priv-b"}`;
        const r = await fetch(`${gw.url}${path}`, { method: "POST", body: text });
        expect(r.status).toBe(400);
        expect(JSON.stringify(await r.json())).toContain(`the key \\"model\\" more than once`);
        expect(upstream.seen.length).toBe(before);
      });
    }
  }

  test("an escaped spelling of the same key is the same key", async () => {
    const r = await fetch(`${gw.url}/v1/chat/completions`, { method: "POST", body: `{"model":"pub","messages":[],"mod\\u0065l":"priv-b","p":"${filler}"}` });
    expect(r.status).toBe(400);
  });

  test("nested keys may repeat (only the root decides routing)", () => {
    expect(() => LazyBody.fromBytes(enc(`{"model":"pub","metadata":{"a":1,"a":2}}`)).checkKeys()).not.toThrow();
  });

  test("property: the scan agrees with JSON.parse on every key, repeated or not", () => {
    const r = rng(11);
    const keys = ["model", "stream", "mod\\u0065l", "messages", 'a\\"b'];
    const values = [`"pub"`, `"priv"`, `true`, `[{"model":"inner"}]`, `{"model":{"x":"}"}}`, `-1e400`, `null`, `"\\"model\\":1"`];
    for (let i = 0; i < 3000; i++) {
      const parts: string[] = [];
      for (let j = 0; j < 1 + Math.floor(r() * 5); j++)
        parts.push(`${r() < 0.5 ? " " : ""}"${keys[Math.floor(r() * keys.length)]}" : ${values[Math.floor(r() * values.length)]}`);
      const text = `{${parts.join(",")}}`;
      const parsed = JSON.parse(text);
      const index = indexTopLevel(enc(text))!;
      expect(index).not.toBeNull();
      expect(index.fields.size).toBe(Object.keys(parsed).length);
      expect(index.duplicate !== undefined).toBe(parts.length !== Object.keys(parsed).length);
      for (const k of Object.keys(parsed)) expect(JSON.parse(scanTopLevel(enc(text), k) as string)).toEqual(parsed[k]);
    }
  });
});
