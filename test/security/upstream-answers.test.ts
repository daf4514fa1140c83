// #12.3, #12.5, #12.6, #12.15, #12.17: what a hostile or broken upstream can send back.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { gzipSync } from "node:zlib";
import { startGateway, type TestGateway } from "../helpers/gateway";

const USAGE_BODY = `{"id":"c1","object":"chat.completion","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":700,"completion_tokens":800,"total_tokens":1500}}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// the other host a redirect points at: it must never see a request
let elsewhereHits: Record<string, string>[] = [];
const elsewhere = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch(req) {
    elsewhereHits.push(Object.fromEntries(req.headers));
    return Response.json({ stolen: true });
  },
});
let lastHeaders: Record<string, string> = {};
const upstream = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  idleTimeout: 0,
  async fetch(req) {
    const body = (await req.json()) as any;
    lastHeaders = Object.fromEntries(req.headers);
    const what = body.messages?.[0]?.content;
    if (what === "redirect")
      return new Response(null, {
        status: Number(body.metadata?.status ?? 302),
        headers: { location: `http://127.0.0.1:${elsewhere.port}/v1/chat/completions` },
      });
    if (what === "gzip") return new Response(gzipSync(USAGE_BODY), { headers: { "content-type": "application/json", "content-encoding": "gzip" } });
    if (what === "huge") {
      let sent = 0;
      return new Response(
        new ReadableStream({
          pull(c) {
            if (sent++ < 400) c.enqueue(new Uint8Array(65536).fill(32));
            else c.close();
          },
        }),
        { headers: { "content-type": "application/json" } },
      );
    }
    if (what === "slow-body") {
      const parts = [
        `{"id":"c1","object":"chat.completion","model":"m",`,
        `"choices":[{"index":0,"message":{"role":"assistant","content":"slow"},"finish_reason":"stop"}],`,
        `"usage":{"prompt_tokens":1,"completion_tokens":1}}`,
      ];
      let i = 0;
      return new Response(
        new ReadableStream({
          async pull(c) {
            if (i > 0) await sleep(250);
            if (i < parts.length) c.enqueue(new TextEncoder().encode(parts[i++]!));
            else c.close();
          },
        }),
        { headers: { "content-type": "application/json" } },
      );
    }
    if (what === "hop")
      return new Response(USAGE_BODY, { headers: { "content-type": "application/json", connection: "x-internal-secret", "x-internal-secret": "s3cret" } });
    return new Response(USAGE_BODY, { headers: { "content-type": "application/json" } });
  },
});

let gw: TestGateway;
beforeAll(() => {
  gw = startGateway(`
server: { max_response_bytes: 1048576 }
backends:
  up: { base_url: "http://127.0.0.1:${upstream.port}", api_key: sk-upstream-secret, extra_headers: { x-tenant-secret: t0p }, idle_timeout_ms: 400 }
models:
  m:
    backends: { "default:1": { use: up } }
  lim:
    default_org_limits: { tpm: 2000 }
    backends: { "default:1": { use: up } }
`);
});
afterAll(() => {
  gw.stop();
  upstream.stop(true);
  elsewhere.stop(true);
});

const chat = (content: string, extra: object = {}, headers: Record<string, string> = {}) =>
  fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers,
    body: JSON.stringify({ model: "m", max_tokens: 10, messages: [{ role: "user", content }], ...extra }),
  });
const limited = (content: string, headers: Record<string, string> = {}) => chat(content, { model: "lim" }, headers);

describe("hostile upstream answers", () => {
  for (const status of [301, 302, 303, 307, 308]) {
    test(`a ${status} redirect is not followed: no key, header or prompt reaches the other host; the client gets 502`, async () => {
      elsewhereHits = [];
      const r = await chat("redirect", { metadata: { status } });
      expect(r.status).toBe(502);
      const err = (await r.json()) as any;
      expect(err.error.message).toContain("redirect");
      expect(JSON.stringify(err)).not.toContain(String(elsewhere.port));
      expect(elsewhereHits).toEqual([]);
    });
  }

  test("an upstream that gzips although asked for identity: usage is read, tpm is charged, the client gets plain JSON", async () => {
    const r = await limited("gzip", { "accept-encoding": "gzip, deflate, br, zstd" });
    expect(lastHeaders["accept-encoding"]).toBe("identity");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-encoding")).toBeNull();
    expect(await r.text()).toBe(USAGE_BODY);
    const line = gw.logs.at(-1);
    expect(line.tokens_in).toBe(700);
    expect(line.tokens_out).toBe(800);
    // 1500 charged of 2000: a second 1500-token answer's reservation still fits, a third does not
    expect((await limited("plain")).status).toBe(200);
    expect((await limited("plain")).status).toBe(429);
  });

  test("a whole answer past server.max_response_bytes is a 502, not a process that grows without bound", async () => {
    const r = await chat("huge");
    expect(r.status).toBe(502);
    expect(((await r.json()) as any).error.message).toContain("max_response_bytes");
  });

  test("the idle timeout of a whole body is idle time, not a total deadline", async () => {
    // three pieces 250 ms apart: 500 ms in all, never 400 ms of silence
    const r = await chat("slow-body");
    expect(r.status).toBe(200);
    expect(((await r.json()) as any).choices[0].message.content).toBe("slow");
  });

  test("hop-by-hop headers named in Connection are removed", async () => {
    const r = await chat("hop", {}, { connection: "x-client-private", "x-client-private": "p" });
    expect(r.headers.get("x-internal-secret")).toBeNull();
    expect(lastHeaders["x-client-private"]).toBeUndefined();
  });
});

describe("endless answers where the gateway must read all of it", () => {
  const endless = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    idleTimeout: 0,
    fetch(req) {
      const status = new URL(req.url).pathname.includes("error") ? 500 : 200;
      let n = 0;
      return new Response(
        new ReadableStream({
          pull(c) {
            if (n++ < 1200) c.enqueue(new TextEncoder().encode(`data: {"x":"${"y".repeat(65000)}"}\n\n`));
            else c.close();
          },
        }),
        { status, headers: { "content-type": "text/event-stream" } },
      );
    },
  });
  let conv: TestGateway;
  beforeAll(() => {
    conv = startGateway(`
models:
  err:
    backends: { "default:1": { base_url: "http://127.0.0.1:${endless.port}", url_path_chat: /error, convert_to_messages: from_chat } }
`);
  });
  afterAll(() => {
    conv.stop();
    endless.stop(true);
  });

  test("an error answer that streams ~78 MB on a converted route is cut at the bound (no unbounded buffer)", async () => {
    const r = await fetch(`${conv.url}/v1/messages`, {
      method: "POST",
      body: JSON.stringify({ model: "err", max_tokens: 5, messages: [{ role: "user", content: "hi" }] }),
    });
    expect(r.status).toBeGreaterThanOrEqual(500);
    expect(await r.text()).toContain("larger than the limit");
  });
});

describe("what crosses between the client and the upstream account", () => {
  test("account selectors and other vendors' credentials never go up; the upstream account's identity never comes back", async () => {
    const { clientResponseHeaders, upstreamRequestHeaders } = await import("../../src/engines");
    const up = upstreamRequestHeaders(
      new Headers({ "openai-organization": "org-attacker", "openai-project": "proj_x", "x-goog-api-key": "g", "anthropic-beta": "b" }),
    );
    expect(Object.fromEntries(up)).toEqual({ "anthropic-beta": "b" });
    const down = clientResponseHeaders(
      new Headers({ "openai-organization": "org-operator", "openai-project": "proj_op", "anthropic-organization-id": "uuid", "x-request-id": "r" }),
    );
    expect(Object.fromEntries(down)).toEqual({ "x-request-id": "r" });
  });

  test("a client's query cannot override a parameter the configured URL sets", async () => {
    const seen: string[] = [];
    const q = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch(req) {
        seen.push(new URL(req.url).search);
        return Response.json(JSON.parse(USAGE_BODY));
      },
    });
    const g = startGateway(`
models:
  azure:
    backends: { "default:1": { base_url: "http://127.0.0.1:${q.port}", url_path_chat: "/openai/deployments/cheap/chat/completions?api-version=2024-10-21&deployment=cheap" } }
`);
    try {
      await (
        await fetch(`${g.url}/v1/chat/completions?deployment=pricey&api-version=1999&beta=true`, {
          method: "POST",
          body: JSON.stringify({ model: "azure", messages: [] }),
        })
      ).text();
      expect(seen[0]).toBe("?api-version=2024-10-21&deployment=cheap&beta=true");
    } finally {
      g.stop();
      q.stop(true);
    }
  });
});

test("an upstream error that echoes the backend's key or extra header values reaches the client with them hidden", async () => {
  const echo = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (req) =>
      Response.json({ error: { message: `bad auth: ${req.headers.get("authorization")} tenant ${req.headers.get("x-tenant")}` } }, { status: 401 }),
  });
  const g = startGateway(`
models:
  e:
    backends: { "default:1": { base_url: "http://127.0.0.1:${echo.port}", api_key: sk-operator-secret-123, extra_headers: { x-tenant: tenant-secret-456 } } }
`);
  try {
    const r = await fetch(`${g.url}/v1/chat/completions`, { method: "POST", body: JSON.stringify({ model: "e", messages: [] }) });
    const text = await r.text();
    expect(r.status).toBe(502); // the upstream refused the gateway's key: quoted, scrubbed
    expect(text).not.toContain("sk-operator-secret-123");
    expect(text).not.toContain("tenant-secret-456");
    expect(text).toContain("bad auth: Bearer ***");
  } finally {
    g.stop();
    echo.stop(true);
  }
});
