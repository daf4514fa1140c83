// The span exporter: batches reach the collector with its headers; a full queue drops and counts; throttling and
// server errors are retried (Retry-After obeyed), a refusal is not; a dead or stalled collector never blocks add().
import { expect, test } from "bun:test";
import { SpanExporter, type Span } from "../../src/otel";
import { startOtlpReceiver } from "../helpers/otlp-receiver";

const span = (i: number): Span => ({
  traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
  spanId: (i + 1).toString(16).padStart(16, "0"),
  name: `chat m${i}`,
  kind: "server",
  startMs: 1765000000000 + i,
  endMs: 1765000000010 + i,
  attributes: { "gen_ai.operation.name": "chat", n: i },
});
const exporter = (endpoint: string, extra: Partial<ConstructorParameters<typeof SpanExporter>[0]> = {}) =>
  new SpanExporter({ endpoint, serviceName: "octollm-test", version: "0", maxAttributeLength: 100, intervalMs: 20, ...extra });

test("spans arrive in batches with the configured headers, service and attributes", async () => {
  const rx = startOtlpReceiver();
  const e = exporter(`${rx.url}/v1/traces`, { headers: { authorization: "Bearer k" }, batchSize: 3 });
  e.add([0, 1, 2, 3, 4].map(span));
  await rx.waitFor(5);
  expect(rx.spans.map((s) => s.attrs.n)).toEqual([0, 1, 2, 3, 4]);
  expect(rx.posts.length).toBe(2); // 3 + 2
  expect(rx.posts[0]!.headers.authorization).toBe("Bearer k");
  expect(rx.spans[0]).toMatchObject({ name: "chat m0", kind: 2, service: "octollm-test", start: 1765000000000000000n });
  expect(e.exported).toBe(5);
  rx.stop();
});

test("a full queue drops new spans and counts them; add() never waits", async () => {
  const rx = startOtlpReceiver(() => ({ delayMs: 300 }));
  const e = exporter(rx.url, { maxQueue: 10, batchSize: 5 });
  for (let i = 0; i < 40; i++) e.add([span(i)]); // synchronous: the counts below are known before any export ends
  expect(e.dropped).toBeGreaterThanOrEqual(25);
  expect(e.queued + e.dropped).toBeGreaterThanOrEqual(35); // at most one batch of 5 left the queue for the stalled collector
  await e.flush(3000);
  expect(e.exported + e.dropped).toBe(40);
  rx.stop();
});

test("429 and 503 are retried (Retry-After obeyed), then delivered; a 400 is not retried and its spans count as dropped", async () => {
  const rx = startOtlpReceiver((n) => (n === 1 ? { status: 429, retryAfter: "0.2" } : n === 2 ? { status: 503 } : {}));
  const e = exporter(rx.url);
  e.add([span(1)]);
  await rx.waitFor(1, 5000);
  expect(rx.posts.length).toBe(3);
  expect(e.exported).toBe(1);
  rx.stop();
  const refusing = startOtlpReceiver(() => ({ status: 400 }));
  const r = exporter(refusing.url);
  r.add([span(2), span(3)]);
  await Bun.sleep(300);
  expect(refusing.posts.length).toBe(1);
  expect(r.dropped).toBe(2);
  refusing.stop();
});

test("a dead collector: tries run out, spans are dropped and counted, shutdown gives up at its deadline", async () => {
  const e = exporter("http://127.0.0.1:9/v1/traces", { attempts: 2 });
  e.add([span(1), span(2)]);
  await e.shutdown(3000);
  expect(e.dropped).toBe(2);
  e.add([span(3)]); // after shutdown: refused quietly
  expect(e.queued).toBe(0);
});
