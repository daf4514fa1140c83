// #23.10, #23.20: a key the gateway does not know (wrong, revoked) is refused with 401 in the caller's shape, never
// served anonymously; anonymous service is for requests with no key at all. On a model whose backends take the
// client's own key (auth: client) an unknown key is the client's own and goes upstream; the gateway key then comes in
// x-octollm-key, and a wrong one there is refused. Anonymous callers cannot tell a private model from an unknown one.
import { afterAll, expect, test } from "bun:test";
import { createLoggedGateway } from "../helpers/gateway";
import { startMockUpstream } from "../helpers/mock-upstream";

const upstream = startMockUpstream();
afterAll(() => upstream.stop());

const { gw } = await createLoggedGateway(`
backends:
  paid: { base_url: "${upstream.url}", api: [openai-chat, anthropic-messages], api_key: sk-operator-secret, price: { input: 1, output: 2 } }
  byok: { base_url: "${upstream.url}", api: [openai-chat, anthropic-messages], auth: client }
models:
  m: { backends: { "default:1": { use: paid } } }
  own: { backends: { "default:1": { use: byok } } }
  secret: { access: private, backends: { "default:1": { use: paid } } }
orgs:
  acme: { api_keys: { alice: key-acme-alice }, models: { m: , own: , secret: } }
`);
afterAll(() => gw.shutdown());

const chat = (model: string, headers: Record<string, string>) =>
  gw.fetch(
    new Request("http://gw/v1/chat/completions", { method: "POST", headers, body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }) }),
  );
const messages = (model: string, headers: Record<string, string>) =>
  gw.fetch(
    new Request("http://gw/v1/messages", {
      method: "POST",
      headers,
      body: JSON.stringify({ model, max_tokens: 5, messages: [{ role: "user", content: "hi" }] }),
    }),
  );

test("a wrong or revoked key gets 401 in the caller's shape; no key is anonymous; a good key is its org", async () => {
  const wrong: Record<string, string>[] = [{ authorization: "Bearer key-acme-revoked" }, { "x-api-key": "sk-wrong" }, { "x-octollm-key": "nope" }];
  for (const headers of wrong) {
    const o = await chat("m", headers);
    expect(o.status).toBe(401);
    expect(((await o.json()) as any).error.code).toBe("invalid_api_key");
    const a = await messages("m", headers);
    expect(a.status).toBe(401);
    expect(((await a.json()) as any).error.type).toBe("authentication_error");
  }
  expect((await chat("m", {})).status).toBe(200);
  expect((await chat("m", { authorization: "Bearer key-acme-alice" })).status).toBe(200);
});

test("auth: client models: an unknown key is the client's own and goes upstream; the gateway key comes in x-octollm-key", async () => {
  const own = await chat("own", { authorization: "Bearer sk-client-own" });
  expect(own.status).toBe(200);
  expect(upstream.seen.at(-1)!.headers.authorization).toBe("Bearer sk-client-own");
  const both = await messages("own", { "x-octollm-key": "key-acme-alice", "x-api-key": "sk-ant-client" });
  expect(both.status).toBe(200);
  expect(upstream.seen.at(-1)!.headers["x-api-key"]).toBe("sk-ant-client");
  expect(upstream.seen.at(-1)!.headers["x-octollm-key"]).toBeUndefined();
  expect((await chat("own", { "x-octollm-key": "wrong", authorization: "Bearer sk-client-own" })).status).toBe(401);
  // the same unknown key on a model the operator pays for is refused
  expect((await chat("m", { authorization: "Bearer sk-client-own" })).status).toBe(401);
});

test("anonymous callers get the same 404 for a private model and for one that does not exist", async () => {
  const priv = await chat("secret", {});
  const none = await chat("no-such-model", {});
  expect([priv.status, none.status]).toEqual([404, 404]);
  const [p, n] = [((await priv.json()) as any).error, ((await none.json()) as any).error];
  expect(p.code).toBe(n.code);
  expect(p.message.replace("secret", "X")).toBe(n.message.replace("no-such-model", "X"));
});

test("validate warns of a priced public model with no limit for anonymous callers on a gateway with orgs", async () => {
  const { loadConfigText } = await import("../../src/config");
  const text = (extra: string) => `
backends:
  paid: { provider: mock, price: { input: 1, output: 2 } }
models:
  m: { ${extra} backends: { "default:1": { use: paid } } }
orgs:
  acme: { api_keys: { alice: key-acme-alice }, models: { m: } }
`;
  const warned = (extra: string) => {
    const r = loadConfigText(text(extra), {});
    return r.ok && (r.warnings ?? []).some((w) => w.message.includes("no limit for anonymous callers"));
  };
  expect(warned("")).toBe(true);
  expect(warned("access: internal,")).toBe(false);
  expect(warned("default_org_limits: { rpm: 10 },")).toBe(false);
});

test("#23.15: no header that carries a gateway key reaches an auth: client backend, however it was sent", async () => {
  const sent: Record<string, string>[] = [
    { "x-api-key": "key-acme-alice", authorization: "Bearer key-acme-alice" }, // in two headers
    { "x-octollm-key": "key-acme-alice", authorization: "Bearer key-acme-alice" },
    { "x-api-key": "sk-octo-RevokedKey0000000000000000000000000" }, // the gateway's own format, no longer known
  ];
  for (const headers of sent) {
    await chat("own", headers);
    const seen = upstream.seen.at(-1)!.headers;
    expect([seen.authorization, seen["x-api-key"], seen["x-octollm-key"]]).toEqual([undefined, undefined, undefined]);
  }
  // twice in x-api-key: the combined value is refused as a gateway key and never forwarded
  const twice = new Headers();
  twice.append("x-api-key", "key-acme-alice");
  twice.append("x-api-key", "key-acme-alice");
  await gw.fetch(new Request("http://gw/v1/chat/completions", { method: "POST", headers: twice, body: JSON.stringify({ model: "own", messages: [] }) }));
  expect(upstream.seen.at(-1)!.headers["x-api-key"]).toBeUndefined();
});

test("#23.15: a mixed pool never serves a client's own key from the operator's backend, nor fails over to it", async () => {
  const client = startMockUpstream(() => ({ status: 503, body: "down" }));
  const operator = startMockUpstream();
  try {
    const { gw: mixed } = await createLoggedGateway(`
models:
  both:
    backends:
      "default:1": { base_url: "${client.url}", auth: client }
      "default:2": { base_url: "${operator.url}", api_key: sk-operator-secret }
orgs:
  acme: { api_keys: { alice: key-acme-alice }, models: { both: } }
`);
    for (let i = 0; i < 4; i++) {
      const r = await mixed.fetch(
        new Request("http://gw/v1/chat/completions", {
          method: "POST",
          headers: { authorization: "Bearer sk-client-own" },
          body: JSON.stringify({ model: "both", messages: [] }),
        }),
      );
      expect(r.status).toBe(503); // the client's backend failed; the operator's was never tried
    }
    expect(operator.seen.length).toBe(0);
    await mixed.shutdown();
    const { loadConfigText } = await import("../../src/config");
    const r = loadConfigText(
      `models:\n  both:\n    backends:\n      "default:1": { base_url: "http://x", auth: client }\n      "default:2": { base_url: "http://y" }\n`,
      {},
    );
    expect(r.ok && r.warnings?.some((w) => w.message.includes("mixes auth: client"))).toBe(true);
  } finally {
    client.stop();
    operator.stop();
  }
});

test("#23.17: validate warns of a config-database fleet without Redis (budgets and limits per instance)", async () => {
  const { loadConfigText } = await import("../../src/config");
  const r = loadConfigText(`server: { config_db: "sqlite://fleet.db" }\n`, {});
  expect(r.ok && r.warnings?.some((w) => w.message.includes("N instances admit up to N times"))).toBe(true);
  const shared = loadConfigText(`server: { config_db: "sqlite://fleet.db", redis_url: "redis://127.0.0.1:6379" }\n`, {});
  expect(shared.ok && (shared.warnings ?? []).some((w) => w.message.includes("N instances"))).toBe(false);
});
