// Traces through the gateway, received by an OTLP/HTTP receiver on loopback and read attribute by attribute: one
// SERVER span per request (the client's traceparent continued), one CLIENT span per upstream attempt (failovers
// are siblings) whose traceparent the upstream received; pass-through, converted, streamed, failed-over, refused
// and cut-short requests on each API; sampling; content capture; a dead collector costs requests nothing.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { loadConfigText } from "../../src/config";
import { createGateway, type Gateway } from "../../src/gateway";
import { startMockUpstream } from "../helpers/mock-upstream";
import { startOtlpReceiver, type ReceivedSpan } from "../helpers/otlp-receiver";

const PARENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT = `00-${PARENT_TRACE}-00f067aa0ba902b7-01`;

const upstream = startMockUpstream((req) => (req.path.includes("/down/") ? { status: 503, body: '{"error":{"message":"down"}}' } : {}));
const rx = startOtlpReceiver();

async function gateway(otel: string, extraModels = "") {
  const loaded = loadConfigText(
    `server: { otel: ${otel} }
backends:
  up: { base_url: "${upstream.url}", api: openai-chat, api_key: sk-upstream-secret-1 }
  down: { base_url: "${upstream.url}/down", api: openai-chat }
models:
  gpt-t: { backends: { "default:1": { use: up } } }
  claude-t: { backends: { "default:1": { use: up, model: up-model } } }
  gemini-t: { backends: { "default:1": { use: up } } }
  flaky: { backends: { "default:100": { use: down }, "default:1": { use: up } } }
  locked: { backends: { "default:1": { use: up } } }
${extraModels}
orgs:
  acme:
    api_keys: { alice: sk-octo-alice-0001 }
    models: { locked: }
`,
    {},
  );
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  const gw = await createGateway({ source: { config: loaded.config }, env: {}, accessLog: { sink: { write: () => {} } } });
  const server = gw.listen("127.0.0.1", 0);
  return { gw, url: server.url.href.replace(/\/$/, ""), stop: () => gw.shutdown(100) };
}

let main: { gw: Gateway; url: string; stop: () => Promise<boolean> };
beforeAll(async () => {
  main = await gateway(`{ endpoint: "${rx.url}", max_attribute_length: 64 }`);
});
afterAll(async () => {
  await main.stop();
  upstream.stop();
  rx.stop();
});

const post = (base: string, path: string, body: object, headers: Record<string, string> = {}) =>
  fetch(`${base}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });

/** The spans of the trace whose SERVER span has this request id, once they arrived. */
async function traceOf(res: Response): Promise<{ server: ReceivedSpan; clients: ReceivedSpan[] }> {
  const rid = res.headers.get("x-octollm-request-id");
  await main.gw.tracer!.exporter.flush();
  for (let i = 0; i < 100; i++) {
    const server = rx.spans.find((s) => s.attrs["octollm.request_id"] === rid);
    if (server) return { server, clients: rx.spans.filter((s) => s.parentSpanId === server.spanId) };
    await Bun.sleep(20);
  }
  throw new Error(`no span for ${rid}`);
}

describe("spans", () => {
  test("pass-through chat: the client's trace continued, the CLIENT span's traceparent sent upstream, GenAI attributes", async () => {
    const before = upstream.seen.length;
    const res = await post(
      main.url,
      "/v1/chat/completions",
      { model: "gpt-t", messages: [{ role: "user", content: "hi" }], temperature: 0.3, max_tokens: 50, seed: 7 },
      {
        traceparent: PARENT,
        tracestate: "vendor=abc",
      },
    );
    expect(res.status).toBe(200);
    const { server, clients } = await traceOf(res);
    expect(server).toMatchObject({
      traceId: PARENT_TRACE,
      parentSpanId: "00f067aa0ba902b7",
      traceState: "vendor=abc",
      name: "chat gpt-t",
      kind: 2,
      status: { code: 0 },
    });
    expect(server.attrs).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "openai",
      "gen_ai.request.model": "gpt-t",
      "gen_ai.request.temperature": 0.3,
      "gen_ai.request.max_tokens": 50,
      "gen_ai.request.seed": 7,
      "gen_ai.usage.input_tokens": 5,
      "gen_ai.usage.output_tokens": 4,
      "http.response.status_code": 200,
      "octollm.backend": "default:1",
      "gen_ai.response.id": "chatcmpl-up1",
      "gen_ai.response.finish_reasons": ["stop"],
    });
    expect(server.attrs["octollm.conversion"]).toBeUndefined();
    expect(clients.length).toBe(1);
    const c = clients[0]!;
    expect(c).toMatchObject({ traceId: PARENT_TRACE, kind: 3, name: "chat gpt-t" });
    expect(c.attrs).toMatchObject({ "server.address": "127.0.0.1", "server.port": Number(new URL(upstream.url).port), "http.response.status_code": 200 });
    const sent = upstream.seen.slice(before).at(-1)!.headers;
    expect(sent.traceparent).toBe(`00-${PARENT_TRACE}-${c.spanId}-01`); // ours, never the client's as it came
    expect(sent.tracestate).toBe("vendor=abc");
    expect(c.start >= server.start && c.end <= server.end).toBe(true);
    expect(JSON.stringify(rx.spans, (_k, v) => (typeof v === "bigint" ? String(v) : v))).not.toContain("sk-upstream-secret-1");
  });

  test("an Anthropic client converted to a chat backend, streamed: conversion, time to first token, usage", async () => {
    const res = await post(main.url, "/v1/messages", { model: "claude-t", max_tokens: 64, stream: true, messages: [{ role: "user", content: "hi" }] });
    expect(res.status).toBe(200);
    await res.text();
    const { server, clients } = await traceOf(res);
    expect(server.attrs).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "openai",
      "gen_ai.request.model": "claude-t",
      "gen_ai.response.model": "up-model",
      "octollm.conversion": "anthropic.messages→openai.chat",
      "gen_ai.response.id": "msg_chatcmpl-up2", // as the client got it: read from the answer's first bytes, after conversion
      "gen_ai.response.finish_reasons": ["end_turn"],
    });
    expect(typeof server.attrs["octollm.ttft_ms"]).toBe("number");
    expect(clients.length).toBe(1);
  });

  test("Gemini and Responses clients: generate_content and chat operations", async () => {
    const g = await post(main.url, "/v1beta/models/gemini-t:generateContent", {
      contents: [{ role: "user", parts: [{ text: "hi" }] }],
      generationConfig: { temperature: 0.5, maxOutputTokens: 20 },
    });
    expect(g.status).toBe(200);
    const gt = await traceOf(g);
    expect(gt.server.name).toBe("generate_content gemini-t");
    expect(gt.server.attrs).toMatchObject({ "gen_ai.operation.name": "generate_content", "gen_ai.request.temperature": 0.5, "gen_ai.request.max_tokens": 20 });
    const r = await post(main.url, "/v1/responses", { model: "gpt-t", input: "hi", max_output_tokens: 30 });
    expect(r.status).toBe(200);
    const rt = await traceOf(r);
    expect(rt.server.attrs).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.request.max_tokens": 30,
      "octollm.conversion": "openai.responses→openai.chat",
    });
  });

  test("a failover: two CLIENT spans, siblings under the SERVER span, the first failed with its status", async () => {
    const res = await post(main.url, "/v1/chat/completions", { model: "flaky", messages: [{ role: "user", content: "hi" }] });
    expect(res.status).toBe(200);
    const { server, clients } = await traceOf(res);
    expect(clients.map((c) => [c.attrs["http.response.status_code"], c.status.code, c.attrs["octollm.backend"]])).toEqual([
      [503, 2, "default:100"],
      [200, 0, "default:1"],
    ]);
    expect(clients[0]!.attrs["error.type"]).toBe("503");
    expect(server.attrs["octollm.attempts"]).toBe(2);
    expect(server.status.code).toBe(0);
  });

  test("refused requests: a SERVER span with the error type and no upstream attempt", async () => {
    const res = await post(
      main.url,
      "/v1/chat/completions",
      { model: "locked", messages: [{ role: "user", content: "hi" }] },
      { authorization: "Bearer sk-octo-wrong-000" },
    );
    expect(res.status).toBe(401);
    const { server, clients } = await traceOf(res);
    expect(server.attrs).toMatchObject({ "error.type": "401", "http.response.status_code": 401 });
    expect(server.status.code).toBe(0); // a client error is not the server's failure
    expect(clients).toEqual([]);
  });

  test("a client that hangs up mid-stream: the SERVER span ends with outcome client_closed", async () => {
    const slow = await gatewayWithSlowUpstream();
    try {
      const res = await post(slow.url, "/v1/chat/completions", { model: "slow", stream: true, messages: [{ role: "user", content: "hi" }] }, {});
      const reader = res.body!.getReader();
      await reader.read();
      await reader.cancel(); // the client hangs up
      const rid = res.headers.get("x-octollm-request-id");
      let server: ReceivedSpan | undefined;
      for (let i = 0; i < 150 && !server; i++) {
        await slow.gw.tracer!.exporter.flush();
        server = rx.spans.find((s) => s.attrs["octollm.request_id"] === rid);
        if (!server) await Bun.sleep(20);
      }
      expect(server?.attrs["octollm.outcome"]).toBe("client_closed");
    } finally {
      await slow.stop();
    }
  });
});

const slowUp = startMockUpstream(() => ({
  chunks: Array.from(
    { length: 50 },
    (_, i) =>
      `data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"t${i} "},"finish_reason":null}]}\n\n`,
  ),
  delayMs: 50,
}));
afterAll(() => slowUp.stop());
const gatewayWithSlowUpstream = () =>
  gateway(`{ endpoint: "${rx.url}" }`, `  slow: { backends: { "default:1": { base_url: "${slowUp.url}", api: openai-chat } } }`);

describe("sampling, content, and a collector that is down", () => {
  test("ratio 0: nothing exported, yet the upstream gets a traceparent of the same trace marked unsampled; a sampled parent is followed", async () => {
    const g = await gateway(`{ endpoint: "${rx.url}", sample_ratio: 0 }`);
    try {
      const before = rx.spans.length;
      const seen = upstream.seen.length;
      const res = await post(
        g.url,
        "/v1/chat/completions",
        { model: "gpt-t", messages: [{ role: "user", content: "hi" }] },
        { traceparent: PARENT.replace(/01$/, "00") },
      );
      expect(res.status).toBe(200);
      expect(upstream.seen.slice(seen).at(-1)!.headers.traceparent).toMatch(new RegExp(`^00-${PARENT_TRACE}-[0-9a-f]{16}-00$`));
      const followed = await post(g.url, "/v1/chat/completions", { model: "gpt-t", messages: [{ role: "user", content: "hi" }] }, { traceparent: PARENT });
      await g.gw.tracer!.exporter.flush();
      expect(rx.spans.slice(before).filter((s) => s.attrs["octollm.request_id"] === res.headers.get("x-octollm-request-id"))).toEqual([]);
      expect(rx.spans.some((s) => s.attrs["octollm.request_id"] === followed.headers.get("x-octollm-request-id"))).toBe(true); // the client's sampled parent decides
    } finally {
      await g.stop();
    }
  });

  test("capture_content records the messages, system and tools, cut to max_attribute_length; off by default", async () => {
    const g = await gateway(`{ endpoint: "${rx.url}", capture_content: true, max_attribute_length: 120 }`);
    try {
      const res = await post(g.url, "/v1/messages", {
        model: "claude-t",
        max_tokens: 10,
        system: "be brief",
        tools: [{ name: "read", input_schema: { type: "object" } }],
        messages: [{ role: "user", content: "x".repeat(500) }],
      });
      await g.gw.tracer!.exporter.flush();
      const server = rx.spans.find((s) => s.attrs["octollm.request_id"] === res.headers.get("x-octollm-request-id"))!;
      expect(server.attrs["gen_ai.system_instructions"]).toBe('"be brief"');
      expect(String(server.attrs["gen_ai.input.messages"]).length).toBe(120);
      expect(String(server.attrs["gen_ai.tool.definitions"])).toStartWith('[{"name":"read"');
      expect(JSON.parse(String(server.attrs["gen_ai.output.messages"]))).toEqual([
        { role: "assistant", parts: [{ type: "text", content: "Hi from upstream é中" }], finish_reason: "end_turn" },
      ]); // the whole answer's text, in the client's API
      const streamed = await post(g.url, "/v1/chat/completions", { model: "gpt-t", stream: true, messages: [{ role: "user", content: "hi" }] });
      await streamed.text();
      await g.gw.tracer!.exporter.flush();
      const s2 = rx.spans.find((s) => s.attrs["octollm.request_id"] === streamed.headers.get("x-octollm-request-id"))!;
      expect(String(s2.attrs["gen_ai.output.messages"])).toContain('"content":"Hello"'); // a stream's text, gathered as it passed
    } finally {
      await g.stop();
    }
    const plain = await post(main.url, "/v1/chat/completions", { model: "gpt-t", messages: [{ role: "user", content: "secret prompt" }] });
    const { server } = await traceOf(plain);
    expect(server.attrs["gen_ai.input.messages"]).toBeUndefined();
  });

  test("a dead collector: every request is answered; spans are dropped and counted in /metrics", async () => {
    const g = await gateway(`{ endpoint: "http://127.0.0.1:9/v1/traces" }`);
    try {
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => post(g.url, "/v1/chat/completions", { model: "gpt-t", messages: [{ role: "user", content: "hi" }] })),
      );
      expect(answers.map((r) => r.status)).toEqual(Array(20).fill(200));
      await g.gw.tracer!.exporter.flush(8000);
      expect(g.gw.tracer!.exporter.dropped).toBe(40); // 20 SERVER + 20 CLIENT spans
      const metrics = await (await fetch(`${g.url}/metrics`)).text();
      expect(metrics).toContain("octollm_otel_spans_dropped_total 40");
    } finally {
      await g.stop();
    }
  }, 20_000);

  test("tracing off: the client's traceparent reaches the upstream as it came, and nothing is exported", async () => {
    const g = await gateway("{ enabled: false }");
    try {
      const seen = upstream.seen.length;
      await post(g.url, "/v1/chat/completions", { model: "gpt-t", messages: [{ role: "user", content: "hi" }] }, { traceparent: PARENT });
      expect(upstream.seen.slice(seen).at(-1)!.headers.traceparent).toBe(PARENT);
      expect(g.gw.tracer).toBeUndefined();
    } finally {
      await g.stop();
    }
  });
});

describe("GenAI metrics", () => {
  test("/metrics has the GenAI client histograms with the conventions' buckets and bounded labels", async () => {
    await post(main.url, "/v1/messages", { model: "claude-t", max_tokens: 64, stream: true, messages: [{ role: "user", content: "hi" }] }).then((r) =>
      r.text(),
    );
    await post(
      main.url,
      "/v1/chat/completions",
      { model: "locked", messages: [{ role: "user", content: "hi" }] },
      { authorization: "Bearer sk-octo-wrong-000" },
    );
    const text = await (await fetch(`${main.url}/metrics`)).text();
    const labels = 'gen_ai_operation_name="chat",gen_ai_provider_name="openai",gen_ai_request_model="claude-t",gen_ai_response_model="up-model",error_type=""';
    expect(text).toContain(`gen_ai_client_operation_duration_seconds_bucket{${labels},le="0.01"}`);
    expect(text).toContain(`gen_ai_client_operation_duration_seconds_bucket{${labels},le="81.92"}`);
    expect(text).toMatch(
      new RegExp(`gen_ai_client_token_usage_bucket\\{${labels.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")},gen_ai_token_type="input",le="67108864"\\} [1-9]`),
    );
    expect(text).toContain(`gen_ai_client_operation_time_to_first_chunk_seconds_count{${labels}}`);
    expect(text).not.toContain('gen_ai_request_model="locked"'); // refused before routing: no model, no GenAI operation
  });
});
