import { afterAll, describe, expect, test } from "bun:test";
import { ConnectProbe, HttpUpstreamEngine, clientResponseHeaders, upstreamRequestHeaders } from "../../src/engines";
import type { LLMRequest } from "../../src/core";
import { startMockUpstream } from "../helpers/mock-upstream";
import { llmRequest } from "../helpers/requests";

const up = startMockUpstream();
afterAll(() => up.stop());

const request = (format: LLMRequest["format"], headers: Record<string, string> = {}): LLMRequest =>
  llmRequest({ format, headers, body: { model: "m", messages: [] } });

describe("header hygiene", () => {
  test("client credentials and hop-by-hop headers are dropped going up", () => {
    const h = upstreamRequestHeaders(
      new Headers({
        authorization: "Bearer c",
        "x-api-key": "c",
        cookie: "s=1",
        connection: "keep-alive",
        "transfer-encoding": "chunked",
        host: "gw",
        "content-length": "5",
        "anthropic-beta": "b1",
        "x-custom": "y",
        "proxy-authorization": "p",
      }),
    );
    expect(Object.fromEntries(h)).toEqual({ "anthropic-beta": "b1", "x-custom": "y" });
  });
  test("cookies and hop-by-hop headers are dropped coming back", () => {
    const h = clientResponseHeaders(new Headers({ "set-cookie": "a=1", connection: "close", "content-type": "application/json", "x-request-id": "u1" }));
    expect(Object.fromEntries(h)).toEqual({ "content-type": "application/json", "x-request-id": "u1" });
  });
});

describe("HttpUpstreamEngine", () => {
  test("paths per format and auth per format", async () => {
    const e = new HttpUpstreamEngine({
      baseUrl: up.url + "/",
      paths: { "openai.chat": "/custom/chat" },
      apiKey: "K",
      extraHeaders: { "x-extra": "1", "anthropic-version": "2099-01-01" },
    });
    await e.process(request("openai.chat", { authorization: "Bearer client" }));
    let seen = up.seen.at(-1)!;
    expect(seen.path).toBe("/custom/chat");
    expect(seen.headers.authorization).toBe("Bearer K");
    expect(seen.headers["x-extra"]).toBe("1");
    await e.process(request("anthropic.messages", { "anthropic-version": "2023-06-01" }));
    seen = up.seen.at(-1)!;
    expect(seen.path).toBe("/v1/messages");
    expect(seen.headers["x-api-key"]).toBe("K");
    expect(seen.headers["anthropic-version"]).toBe("2099-01-01"); // extra_headers win
  });
  test("anthropic_api_key_as_bearer; no key configured sends no auth at all", async () => {
    await new HttpUpstreamEngine({ baseUrl: up.url, apiKey: "K", anthropicApiKeyAsBearer: true }).process(request("anthropic.messages"));
    expect(up.seen.at(-1)!.headers.authorization).toBe("Bearer K");
    expect(up.seen.at(-1)!.headers["x-api-key"]).toBeUndefined();
    await new HttpUpstreamEngine({ baseUrl: up.url }).process(request("openai.chat", { "x-api-key": "client" }));
    expect(up.seen.at(-1)!.headers.authorization).toBeUndefined();
    expect(up.seen.at(-1)!.headers["x-api-key"]).toBeUndefined();
  });
  test("http_proxy sends the request through the proxy", async () => {
    const proxied: string[] = [];
    const proxy = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      async fetch(req) {
        proxied.push(req.url);
        return fetch(req.url, { method: req.method, headers: req.headers, body: await req.arrayBuffer() });
      },
    });
    try {
      const e = new HttpUpstreamEngine({ baseUrl: up.url, httpProxy: `http://127.0.0.1:${proxy.port}` });
      const res = await e.process(request("openai.chat"));
      expect(res.status).toBe(200);
      expect(proxied).toEqual([`${up.url}/v1/chat/completions`]);
    } finally {
      proxy.stop(true);
    }
  });
});

describe("ConnectProbe", () => {
  test("an open port passes, a closed one fails fast, and a fresh origin is not probed", async () => {
    await new ConnectProbe("127.0.0.1", up.server.port!, 1000).check();
    const probe = new ConnectProbe("127.0.0.1", 1, 1000); // nothing listens on port 1
    await expect(probe.check()).rejects.toThrow(/connect to 127.0.0.1/);
    probe.markOk();
    await probe.check(); // fresh: skipped even though nothing listens
  });
});
