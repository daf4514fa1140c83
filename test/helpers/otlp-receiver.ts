// An OTLP/HTTP JSON trace receiver on 127.0.0.1: every span it gets, flattened (attributes as a plain object), and
// a way to make it fail, stall or answer slowly.

/** One received span, its attributes as values. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  traceState?: string;
  name: string;
  kind: number;
  start: bigint;
  end: bigint;
  status: { code: number; message?: string };
  attrs: Record<string, unknown>;
  service: string;
}

function attrValue(v: any): unknown {
  if ("stringValue" in v) return v.stringValue;
  if ("intValue" in v) return Number(v.intValue);
  if ("doubleValue" in v) return v.doubleValue;
  if ("boolValue" in v) return v.boolValue;
  if ("arrayValue" in v) return (v.arrayValue.values ?? []).map(attrValue);
  return undefined;
}

const attrs = (list: any[] = []) => Object.fromEntries(list.map((a) => [a.key, attrValue(a.value)]));

/** Starts the receiver; `answer` may return a status to fail with, or a delay in ms before answering 200. */
export function startOtlpReceiver(answer: (n: number) => { status?: number; delayMs?: number; retryAfter?: string } = () => ({})) {
  const spans: ReceivedSpan[] = [];
  const posts: { headers: Record<string, string> }[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const body = (await req.json()) as any;
      posts.push({ headers: Object.fromEntries(req.headers) });
      const a = answer(posts.length);
      if (a.delayMs) await Bun.sleep(a.delayMs);
      if (a.status && a.status !== 200) return new Response("no", { status: a.status, headers: a.retryAfter ? { "retry-after": a.retryAfter } : {} });
      for (const rs of body.resourceSpans ?? []) {
        const service = String(attrs(rs.resource?.attributes)["service.name"]);
        for (const ss of rs.scopeSpans ?? [])
          for (const s of ss.spans ?? [])
            spans.push({
              traceId: s.traceId,
              spanId: s.spanId,
              parentSpanId: s.parentSpanId,
              traceState: s.traceState,
              name: s.name,
              kind: s.kind,
              start: BigInt(s.startTimeUnixNano),
              end: BigInt(s.endTimeUnixNano),
              status: s.status ?? { code: 0 },
              attrs: attrs(s.attributes),
              service,
            });
      }
      return Response.json({});
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    spans,
    posts,
    /** Waits until `n` spans arrived (or `ms` pass). */
    async waitFor(n: number, ms = 5000): Promise<ReceivedSpan[]> {
      const until = Date.now() + ms;
      while (spans.length < n && Date.now() < until) await Bun.sleep(20);
      return spans;
    },
    stop: () => server.stop(true),
  };
}
