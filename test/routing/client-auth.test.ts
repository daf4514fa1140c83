// The client's own credential where the user wants it (#14.10): auth: client forwards it to that backend and no
// other; gateway keys are spent at the door and never reach any upstream.
import { afterAll, expect, test } from "bun:test";
import { loadConfigText } from "../../src/config";
import { createGateway, type Gateway } from "../../src/gateway";
import { startMockUpstream } from "../helpers/mock-upstream";

const upstream = startMockUpstream((req) =>
  (req.headers["x-api-key"] ?? req.headers.authorization ?? "").includes("expired")
    ? { status: 401, body: `{"type":"error","error":{"type":"authentication_error","message":"OAuth token has expired"}}` }
    : {},
);
afterAll(() => upstream.stop());

async function gateway(orgs = ""): Promise<Gateway> {
  const loaded = loadConfigText(
    `
models:
  claude-opus-*:
    backends: { "default:1": { base_url: "${upstream.url}", auth: client } }
  claude-*:
    backends: { "default:1": { base_url: "${upstream.url}", api_key: sk-gateway-upstream-key } }
${orgs}`,
    {},
  );
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  return createGateway({ source: { config: loaded.config }, env: {}, accessLog: { sink: { write: () => {} } } });
}
const send = (gw: Gateway, model: string, headers: Record<string, string>) =>
  gw.fetch(
    new Request("http://gw/v1/messages", {
      method: "POST",
      headers,
      body: JSON.stringify({ model, max_tokens: 5, messages: [{ role: "user", content: "hi" }] }),
    }),
  );
const lastHeaders = () => upstream.seen.at(-1)!.headers;

test("the client's own credential goes to the auth: client backend only", async () => {
  const gw = await gateway();
  expect((await send(gw, "claude-opus-4-1", { authorization: "Bearer sk-ant-oat-users-own-login", "anthropic-beta": "oauth-2025-04-20" })).status).toBe(200);
  expect(lastHeaders().authorization).toBe("Bearer sk-ant-oat-users-own-login");
  expect(lastHeaders()["anthropic-beta"]).toBe("oauth-2025-04-20");
  expect((await send(gw, "claude-sonnet-5", { authorization: "Bearer sk-ant-oat-users-own-login" })).status).toBe(200);
  expect(lastHeaders().authorization).toBeUndefined();
  expect(lastHeaders()["x-api-key"]).toBe("sk-gateway-upstream-key");
});

test("an auth: client backend's 401 is the client's: passed through, not turned into a 502", async () => {
  const gw = await gateway();
  const r = await send(gw, "claude-opus-4-1", { "x-api-key": "sk-ant-expired-token" });
  expect(r.status).toBe(401);
  expect(((await r.json()) as any).error.message).toBe("OAuth token has expired");
});

test("a gateway key is never forwarded, from any header, even to an auth: client backend", async () => {
  const gw = await gateway(`orgs:\n  acme: { api_keys: { alice: sk-gateway-alice-key } }\n`);
  await send(gw, "claude-opus-4-1", { authorization: "Bearer sk-gateway-alice-key" });
  expect(JSON.stringify(lastHeaders())).not.toContain("sk-gateway-alice-key");
  // the gateway key in its own header, the client's own login in Authorization
  await send(gw, "claude-opus-4-1", { "x-octollm-key": "sk-gateway-alice-key", authorization: "Bearer users-own-login" });
  expect(JSON.stringify(lastHeaders())).not.toContain("sk-gateway-alice-key");
  expect(lastHeaders().authorization).toBe("Bearer users-own-login");
  await send(gw, "claude-sonnet-5", { "x-api-key": "sk-gateway-alice-key" });
  expect(JSON.stringify(lastHeaders())).not.toContain("sk-gateway-alice-key");
});

test("validate warns that an auth: client backend's api_key is never sent", () => {
  const r = loadConfigText(`models:\n  m:\n    backends: { "default:1": { base_url: "http://x.example", auth: client, api_key: sk-unused-0 } }\n`, {});
  expect(r.ok && r.warnings?.[0]?.message).toContain("api_key is never sent");
});
