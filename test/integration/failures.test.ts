// Bad input and bad upstreams: every error has the right status and the caller's protocol shape.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { OPENAI_BODY, OPENAI_CHUNKS, startMockUpstream } from "../helpers/mock-upstream";

let upstream: ReturnType<typeof startMockUpstream>;
let gw: TestGateway;
let scriptFor: Record<string, any> = {};

beforeAll(() => {
  upstream = startMockUpstream((_req, json) => scriptFor[json?.messages?.[0]?.content] ?? {});
  const dead = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("") });
  const deadUrl = `http://127.0.0.1:${dead.port}`;
  dead.stop(true); // nothing listens there any more
  gw = startGateway(`
server:
  max_body_bytes: 2000
models:
  up:
    backends:
      default:1: { base_url: "${upstream.url}", api_key: k, first_byte_timeout_ms: 400, idle_timeout_ms: 400 }
  dead:
    backends:
      default:1: { base_url: "${deadUrl}", connect_timeout_ms: 500 }
`);
});
afterAll(() => {
  gw.stop();
  upstream.stop();
});

const oa = (body: string | ReadableStream, init: RequestInit = {}) => fetch(`${gw.url}/v1/chat/completions`, { method: "POST", body, ...init });
const an = (body: string | ReadableStream, init: RequestInit = {}) =>
  fetch(`${gw.url}/v1/messages`, { method: "POST", body, ...init, headers: { "anthropic-version": "2023-06-01", ...(init.headers as object) } });
const msg = (content: string, extra: object = {}) => JSON.stringify({ model: "up", messages: [{ role: "user", content }], ...extra });

async function expectOpenAIError(res: Response, status: number, type?: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toContain("application/json");
  const body: any = await res.json();
  expect(typeof body.error.message).toBe("string");
  expect(body.error).toHaveProperty("param");
  expect(body.error).toHaveProperty("code");
  if (type) expect(body.error.type).toBe(type);
  return body;
}
async function expectAnthropicError(res: Response, status: number, type: string) {
  expect(res.status).toBe(status);
  const body: any = await res.json();
  expect(body.type).toBe("error");
  expect(body.error.type).toBe(type);
  expect(body.request_id).toBe(res.headers.get("request-id"));
  return body;
}

describe("bad input", () => {
  test("malformed JSON → 400 in both shapes", async () => {
    await expectOpenAIError(await oa(`{"model":"up","messages":[`), 400, "invalid_request_error");
    await expectAnthropicError(await an(`{"model":"up",,}`), 400, "invalid_request_error");
    await expectOpenAIError(await oa(`not json at all`), 400);
    await expectOpenAIError(await oa(``), 400);
  });
  test("missing model, wrong type of model → 400", async () => {
    const b = await expectOpenAIError(await oa(`{"messages":[]}`), 400);
    expect(b.error.param).toBe("model");
    await expectAnthropicError(await an(`{"model":42,"messages":[]}`), 400, "invalid_request_error");
    await expectOpenAIError(await oa(`[1,2]`), 400);
  });
  test("unknown model → 404", async () => {
    const b = await expectOpenAIError(await oa(msg("x").replace('"up"', '"nope"')), 404);
    expect(b.error.code).toBe("model_not_found");
    await expectAnthropicError(await an(msg("x").replace('"up"', '"nope"')), 404, "not_found_error");
  });
  test("body over the limit → 413, declared or chunked", async () => {
    await expectOpenAIError(await oa(msg("x".repeat(5000))), 413);
    await expectAnthropicError(await an(msg("x".repeat(5000))), 413, "request_too_large");
    const chunked = new ReadableStream({
      start(c) {
        for (let i = 0; i < 10; i++) c.enqueue(new TextEncoder().encode("x".repeat(500)));
        c.close();
      },
    });
    await expectOpenAIError(await oa(chunked), 413);
  });
  test("wrong method → 405 with Allow; unknown path → 404", async () => {
    const r = await fetch(`${gw.url}/v1/chat/completions`);
    expect(r.headers.get("allow")).toBe("POST");
    await expectOpenAIError(r, 405);
    await expectAnthropicError(await fetch(`${gw.url}/v1/messages`, { method: "PUT", body: "{}" }), 405, "invalid_request_error");
    await expectOpenAIError(await fetch(`${gw.url}/v2/nothing`), 404);
  });
  test("HEAD / and GET /healthz answer 200", async () => {
    expect((await fetch(`${gw.url}/`, { method: "HEAD" })).status).toBe(200);
    expect(await (await fetch(`${gw.url}/healthz`)).json()).toMatchObject({ status: "ok" });
  });
});

describe("bad upstreams", () => {
  test("dead upstream → 502 in both shapes, naming the backend and the connect error, and x-should-retry: false (#24.3)", async () => {
    const body = JSON.stringify({ model: "dead", messages: [] });
    const or = await oa(body);
    expect(or.headers.get("x-should-retry")).toBe("false");
    const o = await expectOpenAIError(or, 502, "server_error");
    expect(o.error.message).toContain("no backend of this model could be reached (tried default:1");
    expect(o.error.message).toContain("upstream unavailable");
    const ar = await an(body);
    expect(ar.headers.get("x-should-retry")).toBe("false");
    await expectAnthropicError(ar, 502, "api_error");
  });
  test("upstream errors before the first byte pass through with status and body", async () => {
    scriptFor = {
      e429: { status: 429, body: `{"error":{"message":"slow down","type":"requests","code":"rate_limit_exceeded"}}`, headers: { "retry-after": "7" } },
    };
    const r = await oa(msg("e429"));
    expect(r.status).toBe(429);
    expect(r.headers.get("retry-after")).toBe("7");
    expect(await r.text()).toBe(`{"error":{"message":"slow down","type":"requests","code":"rate_limit_exceeded"}}`);
    scriptFor = { e500: { status: 500, body: "upstream exploded" } };
    const r2 = await an(msg("e500"));
    expect(r2.status).toBe(500);
    expect(await r2.text()).toBe("upstream exploded");
  });
  test("no headers within first_byte_timeout_ms → 504", async () => {
    scriptFor = { slow: { headerDelayMs: 1500 } };
    await expectOpenAIError(await oa(msg("slow")), 504);
    await expectAnthropicError(await an(msg("slow")), 504, "timeout_error");
  });
  test("a stream that goes idle ends with an in-band error event, not a cut", async () => {
    scriptFor = { idle: { chunks: OPENAI_CHUNKS.slice(0, 2), hang: true } };
    const text = await (await oa(msg("idle", { stream: true }))).text();
    expect(text.startsWith(OPENAI_CHUNKS[0]! + OPENAI_CHUNKS[1]!)).toBe(true);
    const last = text.trimEnd().split("\n\n").pop()!;
    expect(JSON.parse(last.replace(/^data: /, "")).error.message).toContain("idle");
  });
  test("a stream the upstream breaks mid-way ends with an Anthropic error event", async () => {
    scriptFor = { broken: { chunks: ['event: message_start\ndata: {"type":"message_start"', ',"message":{}}\n\n'], delayMs: 50, abortAfterChunks: true } };
    const text = await (await an(msg("broken", { stream: true }))).text();
    expect(text).toContain("event: error\ndata: ");
    expect(text.endsWith("\n\n")).toBe(true);
  });
  test("the upstream is asked for plain bytes (usage must be readable); the client gets the answer intact", async () => {
    scriptFor = { gz: { gzip: true } };
    const r = await oa(msg("gz"), { headers: { "accept-encoding": "gzip" }, decompress: false } as RequestInit);
    expect(upstream.seen.at(-1)!.headers["accept-encoding"]).toBe("identity");
    expect(r.headers.get("content-encoding")).toBeNull();
    expect(new TextDecoder().decode(await r.arrayBuffer())).toBe(OPENAI_BODY);
    const auto = await oa(msg("gz"), { headers: { "accept-encoding": "gzip" } });
    expect(await auto.text()).toBe(OPENAI_BODY);
  });
  test("a client that hangs up mid-stream aborts the upstream request", async () => {
    scriptFor = { hangup: { chunks: OPENAI_CHUNKS, delayMs: 100 } };
    const ctrl = new AbortController();
    const before = upstream.aborted.length;
    const res = await oa(msg("hangup", { stream: true }), { signal: ctrl.signal });
    const reader = res.body!.getReader();
    await reader.read();
    ctrl.abort();
    for (let i = 0; i < 50 && upstream.aborted.length === before; i++) await Bun.sleep(20);
    expect(upstream.aborted.length).toBeGreaterThan(before);
    await Bun.sleep(50);
    expect(gw.logs.some((l: any) => l.outcome === "client_closed")).toBe(true);
  });
});
