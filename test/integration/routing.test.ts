// Routing end to end through the server: auth × access, rules, failover, rewrites, model lists.
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { startMockUpstream } from "../helpers/mock-upstream";
import { postJson } from "../helpers/requests";

let upstream: ReturnType<typeof startMockUpstream>;
let gw: TestGateway;
const quiet = console.error;

beforeAll(() => {
  console.error = () => {}; // circuit-breaker lines
  upstream = startMockUpstream((req) => (req.headers["x-slow"] ? { headerDelayMs: 1000 } : req.headers["x-fail"] ? { status: 500, body: "boom" } : {}));
  const dead = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("") });
  const deadUrl = `http://127.0.0.1:${dead.port}`;
  dead.stop(true);
  gw = startGateway(`
server:
  failover: { max_attempts: 4, failure_threshold: 2, cooldown_ms: 400 }
backends:
  up: { base_url: "${upstream.url}" }
models:
  pub:
    backends: { "default:1": { use: up } }
  int:
    access: internal
    backends: { "default:1": { use: up } }
  priv:
    access: private
    backends: { "default:1": { use: up } }
  ruled:
    default_rules:
      - name: deny_stream
        match: RawReq.stream == true
        deny: { reason_text: "stream is not allowed", http_status_code: 403 }
      - name: big_to_b
        match: Features.promptTextLen > 100
        forward_weights: { b: 1 }
        add_tags: [big]
      - name: tag_only
        match: RawReq.metadata.tag == "x"
        add_tags: [tagged]
    backends:
      "default:1": { use: up, extra_headers: { x-which: a } }
      b: { use: up, extra_headers: { x-which: b } }
  rewritten:
    request_rewrites: { set_keys: { model: upstream-name }, remove_keys: [top_p] }
    backends:
      "default:1":
        use: up
        response_rewrites: { set_keys: { "choices.0.message.content": "rewritten" }, set_keys_by_expr: { echo: "RawReq.model" } }
        stream_chunk_rewrites: { set_keys: { model: chunk-model } }
  failover:
    backends:
      "default:1:dead": { base_url: "${deadUrl}", connect_timeout_ms: 300 }
      "default:1:slow": { use: up, first_byte_timeout_ms: 200, extra_headers: { x-slow: "1" } }
      "default:1:err": { use: up, extra_headers: { x-fail: "1" } }
      "default:1:good": { use: up }
users:
  acme:
    api_keys: { alice: key-acme-alice }
    models:
      priv:
      ruled:
        rules:
          - name: acme_streams
            match: RawReq.stream == true
            add_tags: [acme-stream]
  other:
    api_keys: { bob: key-other-bob }
`);
});
afterAll(() => {
  gw.stop();
  upstream.stop();
  console.error = quiet;
});

const KEYS: Record<string, string | undefined> = { none: undefined, unknown: "key-nobody-000", acme: "key-acme-alice", other: "key-other-bob" };
const post = (path: string, body: object, key?: string, headers: Record<string, string> = {}) => postJson(gw.url, path, body, { key, headers });

describe("auth × access", () => {
  const expected: Record<string, Record<string, number>> = {
    // #23.10: a key the gateway does not know is refused, never served anonymously; #23.20: with no key, a model
    // one may not use answers as an unknown one does
    pub: { none: 200, unknown: 401, acme: 200, other: 200 },
    int: { none: 404, unknown: 401, acme: 200, other: 200 },
    priv: { none: 404, unknown: 401, acme: 200, other: 403 },
  };
  for (const [model, row] of Object.entries(expected)) {
    test(`${model}: the whole matrix, in both protocols`, async () => {
      for (const [who, status] of Object.entries(row)) {
        const o = await post("/v1/chat/completions", { model, messages: [] }, KEYS[who]);
        expect({ who, status: o.status }).toEqual({ who, status });
        const a = await fetch(`${gw.url}/v1/messages`, {
          method: "POST",
          headers: KEYS[who] ? { "x-api-key": KEYS[who]! } : {},
          body: JSON.stringify({ model, max_tokens: 5, messages: [] }),
        });
        expect({ who, status: a.status }).toEqual({ who, status });
        if (status === 401) expect(((await a.json()) as any).error.type).toBe("authentication_error");
        if (status === 404) expect(((await o.json()) as any).error.code).toBe("model_not_found");
        if (status === 403) {
          expect(((await a.json()) as any).error.type).toBe("permission_error");
          expect(((await o.json()) as any).error.code).toBe("model_not_allowed");
        }
      }
    });
  }
  test("the official SDKs see 401 and 403 as their typed errors", async () => {
    const oa = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: KEYS.other!, maxRetries: 0 });
    const e1 = await oa.chat.completions.create({ model: "priv", messages: [{ role: "user", content: "x" }] }).catch((e) => e);
    expect(e1).toBeInstanceOf(OpenAI.PermissionDeniedError);
    const an = new Anthropic({ baseURL: gw.url, apiKey: "key-nobody-000", maxRetries: 0 });
    const e2 = await an.messages.create({ model: "int", max_tokens: 5, messages: [{ role: "user", content: "x" }] }).catch((e) => e);
    expect(e2).toBeInstanceOf(Anthropic.AuthenticationError);
  });
  test("GET /v1/models lists what the caller may use", async () => {
    const ids = async (key?: string) =>
      ((await (await fetch(`${gw.url}/v1/models`, { headers: key ? { authorization: `Bearer ${key}` } : {} })).json()) as any).data.map((m: any) => m.id);
    expect(await ids()).toEqual(["pub", "ruled", "rewritten", "failover"]);
    expect(await ids(KEYS.other)).toEqual(["pub", "int", "ruled", "rewritten", "failover"]);
    expect(await ids(KEYS.acme)).toEqual(["pub", "int", "priv", "ruled", "rewritten", "failover"]);
  });
  test("keys never reach the access log", async () => {
    await post("/v1/chat/completions", { model: "int", messages: [] }, KEYS.acme);
    await Bun.sleep(10);
    const text = JSON.stringify(gw.logs);
    for (const k of Object.values(KEYS)) if (k) expect(text).not.toContain(k);
  });
});

describe("rules", () => {
  test("deny answers in the caller's shape; the org's own rule runs first", async () => {
    const r = await post("/v1/chat/completions", { model: "ruled", stream: true, messages: [] });
    expect(r.status).toBe(403);
    expect(((await r.json()) as any).error.message).toBe("stream is not allowed");
    const a = await fetch(`${gw.url}/v1/messages`, { method: "POST", body: JSON.stringify({ model: "ruled", stream: true, max_tokens: 5, messages: [] }) });
    expect(((await a.json()) as any).error).toEqual({ type: "permission_error", message: "stream is not allowed" });
    const acme = await post("/v1/chat/completions", { model: "ruled", stream: true, messages: [] }, KEYS.acme);
    expect(acme.status).toBe(200);
    await acme.text();
  });
  test("forward_weights sends big prompts to backend b; tags reach the access log", async () => {
    const before = gw.logs.length;
    const big = await post("/v1/chat/completions", { model: "ruled", messages: [{ role: "user", content: "x".repeat(200) }] });
    expect(big.headers.get("x-octollm-backend")).toBe("b");
    expect(upstream.seen.at(-1)!.headers["x-which"]).toBe("b");
    const small = await post("/v1/chat/completions", { model: "ruled", messages: [{ role: "user", content: "hi" }], metadata: { tag: "x" } });
    expect(small.headers.get("x-octollm-backend")).toBe("default:1");
    expect(upstream.seen.at(-1)!.headers["x-which"]).toBe("a");
    await Bun.sleep(10);
    const lines = gw.logs.slice(before);
    expect(lines.map((l: any) => l.tags)).toEqual([["big"], ["tagged"]]);
  });
});

describe("rewrites", () => {
  test("request, response and stream chunks are rewritten", async () => {
    const res = await post("/v1/chat/completions", { model: "rewritten", top_p: 0.5, messages: [] });
    const sent = JSON.parse(new TextDecoder().decode(upstream.seen.at(-1)!.body));
    expect(sent).toEqual({ model: "upstream-name", messages: [] });
    const body: any = await res.json();
    expect(body.choices[0].message.content).toBe("rewritten");
    expect(body.echo).toBe("upstream-name");
    const stream = await (await post("/v1/chat/completions", { model: "rewritten", stream: true, messages: [] })).text();
    const events = stream.split("\n\n").filter(Boolean);
    expect(events.at(-1)).toBe("data: [DONE]");
    for (const e of events.slice(0, -1)) expect(JSON.parse(e.replace(/^data: ?/, "")).model).toBe("chunk-model");
  });
  test("without rewrites, bodies stay byte-identical", async () => {
    const body = `{"model":"pub",  "messages":[] , "top_p":0.50}`;
    await fetch(`${gw.url}/v1/chat/completions`, { method: "POST", body });
    expect(new TextDecoder().decode(upstream.seen.at(-1)!.body)).toBe(body);
  });
});

describe("failover", () => {
  test("with one backend dead, one slow and one failing, every request is served by the good one", async () => {
    for (let i = 0; i < 8; i++) {
      const r = await post("/v1/chat/completions", { model: "failover", messages: [] });
      expect(r.status).toBe(200);
      expect(r.headers.get("x-octollm-backend")).toBe("default:1:good");
      await r.text();
    }
    await Bun.sleep(10);
    const attempts = gw.logs.filter((l: any) => l.model === "failover").map((l: any) => l.attempts ?? 1);
    expect(Math.max(...attempts)).toBeGreaterThan(1);
    expect(attempts.at(-1)).toBe(1); // the bad ones' circuits are open by now
  });
  test("after the cooldown the bad backends are probed again", async () => {
    await Bun.sleep(450);
    const before = upstream.seen.length;
    const r = await post("/v1/chat/completions", { model: "failover", messages: [] });
    expect(r.status).toBe(200);
    await Bun.sleep(10);
    expect(gw.logs.at(-1).attempts).toBeGreaterThan(1);
    expect(upstream.seen.length - before).toBeGreaterThan(1);
  });
});
