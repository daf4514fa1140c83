// A finished span as the tracer hands it to the exporter, and its OTLP/JSON form (attributes capped in number and
// length, ids as hex, times as nanosecond strings).

/** An attribute value: what OTLP carries for the gateway's attributes. */
export type AttrValue = string | number | boolean | readonly string[];

/** One finished span. */
export interface Span {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  traceState?: string;
  name: string;
  kind: "server" | "client";
  /** Start and end, epoch milliseconds (fractional). */
  startMs: number;
  endMs: number;
  attributes: Record<string, AttrValue | undefined>;
  /** Set when the span failed: the status message. */
  error?: string;
}

/** Most attributes a span keeps (OpenTelemetry's default limit). */
export const MAX_ATTRIBUTES = 128;

const KIND = { server: 2, client: 3 } as const;

/** Epoch milliseconds as OTLP's unsigned nanoseconds, exact past 2^53. */
export function unixNanos(ms: number): string {
  let whole = Math.floor(ms);
  let frac = Math.round((ms - whole) * 1e6);
  if (frac >= 1e6) {
    whole += 1;
    frac -= 1e6;
  }
  return whole > 0 ? `${whole}${String(frac).padStart(6, "0")}` : String(frac); // digits joined: exact past 2^53, no BigInt
}

function cut(s: string, max: number): string {
  return s.length > max ? s.slice(0, max) : s;
}

function value(v: AttrValue, max: number): object {
  if (typeof v === "string") return { stringValue: cut(v, max) };
  if (typeof v === "boolean") return { boolValue: v };
  if (typeof v === "number") return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  return { arrayValue: { values: v.slice(0, MAX_ATTRIBUTES).map((s) => ({ stringValue: cut(String(s), max) })) } };
}

/** A span in OTLP/JSON form. */
export function otlpSpan(s: Span, maxLength: number): object {
  const attributes: object[] = [];
  for (const key in s.attributes) {
    const v = s.attributes[key];
    if (v === undefined || (typeof v === "number" && !Number.isFinite(v))) continue;
    if (attributes.length >= MAX_ATTRIBUTES) break;
    attributes.push({ key, value: value(v, maxLength) });
  }
  const out: Record<string, unknown> = {
    traceId: s.traceId,
    spanId: s.spanId,
    name: cut(s.name, maxLength),
    kind: KIND[s.kind],
    startTimeUnixNano: unixNanos(s.startMs),
    endTimeUnixNano: unixNanos(Math.max(s.endMs, s.startMs)),
    attributes,
    status: s.error === undefined ? { code: 0 } : { code: 2, message: cut(s.error, maxLength) },
  };
  if (s.parentSpanId) out.parentSpanId = s.parentSpanId;
  if (s.traceState) out.traceState = s.traceState;
  return out;
}

/** An OTLP/JSON export request for spans of one service. */
export function otlpRequest(spans: readonly Span[], service: string, version: string, maxLength: number): string {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: {
          attributes: [
            { key: "service.name", value: { stringValue: service } },
            { key: "service.version", value: { stringValue: version } },
            { key: "telemetry.sdk.name", value: { stringValue: "octollm" } },
            { key: "telemetry.sdk.language", value: { stringValue: "js" } },
          ],
        },
        scopeSpans: [{ scope: { name: "octollm", version }, spans: spans.map((s) => otlpSpan(s, maxLength)) }],
      },
    ],
  });
}
