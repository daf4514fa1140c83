// W3C trace context as the gateway reads it (strictly: anything malformed starts a new trace) and writes it; ids;
// the ratio sampler; OTLP/JSON encoding with capped attributes and exact nanosecond times.
import { describe, expect, test } from "bun:test";
import { formatTraceparent, newSpanId, newTraceId, otelSettings, otlpSpan, parseHeaderList, parseTraceparent, sampledByRatio, unixNanos } from "../../src/otel";
import { rng } from "../helpers/random";

const CHARS = "0123456789abcdefABCDEF-xz =,\u0000\n\u00e9";
/** The text with a few characters replaced, inserted or deleted at random. */
function edit(text: string, rand: () => number): string {
  let t = text;
  for (let n = 1 + Math.floor(rand() * 3); n > 0; n--) {
    const at = Math.floor(rand() * (t.length + 1));
    const c = CHARS[Math.floor(rand() * CHARS.length)]!;
    const op = rand();
    t = op < 0.4 ? t.slice(0, at) + c + t.slice(at + 1) : op < 0.7 ? t.slice(0, at) + c + t.slice(at) : t.slice(0, at) + t.slice(at + 1);
  }
  return t;
}

const VALID = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

describe("traceparent", () => {
  test("a valid one is read with its flags and tracestate; malformed ones are not", () => {
    expect(parseTraceparent(VALID, "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE")).toEqual({
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      spanId: "00f067aa0ba902b7",
      sampled: true,
      tracestate: "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE",
    });
    expect(parseTraceparent(VALID.replace(/01$/, "00"), null)?.sampled).toBe(false);
    for (const bad of [
      "",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
      "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", // version ff is invalid
      "00-00000000000000000000000000000000-00f067aa0ba902b7-01", // all-zero trace
      "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", // all-zero span
      "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", // upper case
      `${VALID}-extra`, // version 00 has exactly four fields
      `${VALID}\n`.repeat(40),
    ])
      expect(parseTraceparent(bad, null)).toBeUndefined();
    expect(parseTraceparent(`01-${VALID.slice(3)}-future`, null)?.traceId).toBe("4bf92f3577b34da6a3ce929d0e0e4736"); // a later version's extra fields
    expect(parseTraceparent(VALID, `a=${"x".repeat(600)}`)?.tracestate).toBeUndefined(); // too long: dropped
    expect(parseTraceparent(VALID, "a=1\u0000")?.tracestate).toBeUndefined();
  });

  test("property: whatever the header, the parse is undefined or ids of the right shape", () => {
    const rand = rng(11);
    let read = 0;
    for (let i = 0; i < 3000; i++) {
      const p = parseTraceparent(edit(VALID, rand), edit("k=v", rand));
      if (!p) continue;
      read++;
      expect(p.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(p.spanId).toMatch(/^[0-9a-f]{16}$/);
      expect(p.traceId).not.toBe("0".repeat(32));
      if (p.tracestate !== undefined) expect(p.tracestate).toMatch(/^[\x20-\x7e]{1,512}$/);
    }
    expect(read).toBeGreaterThan(100); // some edits keep it valid (a hex digit for a hex digit): both sides are exercised
  });

  test("written ones round-trip; ids are random hex, never all zero", () => {
    const ids = new Set(Array.from({ length: 2000 }, newSpanId));
    expect(ids.size).toBe(2000);
    const t = newTraceId();
    expect(t).toMatch(/^[0-9a-f]{32}$/);
    expect(parseTraceparent(formatTraceparent(t, "00f067aa0ba902b7", false), null)).toEqual({ traceId: t, spanId: "00f067aa0ba902b7", sampled: false });
  });

  test("the ratio sampler keeps about its share, and the same id always gets the same answer", () => {
    const ids = Array.from({ length: 20000 }, newTraceId);
    const kept = ids.filter((id) => sampledByRatio(id, 0.25)).length / ids.length;
    expect(kept).toBeGreaterThan(0.22);
    expect(kept).toBeLessThan(0.28);
    expect(ids.filter((id) => sampledByRatio(id, 0.25)).every((id) => sampledByRatio(id, 0.5))).toBe(true); // one threshold on the id: kept at 25 %, kept at 50 %
    expect(ids.some((id) => sampledByRatio(id, 0))).toBe(false);
    expect(ids.every((id) => sampledByRatio(id, 1))).toBe(true);
  });
});

describe("OTLP/JSON", () => {
  test("nanoseconds exact past 2^53; attributes typed, capped in number and length; status from the error", () => {
    expect(unixNanos(1765000000123.5)).toBe("1765000000123500000"); // past 2^53 in ns: no float rounding of the whole
    expect(unixNanos(1765000000123.25)).toBe("1765000000123250000");
    const attributes: Record<string, unknown> = { s: "x".repeat(100), i: 42, d: 0.5, b: true, a: ["p", "q"], none: undefined, inf: Number.POSITIVE_INFINITY };
    for (let i = 0; i < 200; i++) attributes[`k${i}`] = i;
    const out: any = otlpSpan(
      { traceId: "t", spanId: "s", name: "chat m", kind: "client", startMs: 1, endMs: 2, attributes: attributes as never, error: "boom" },
      10,
    );
    expect(out.kind).toBe(3);
    expect(out.attributes.length).toBe(128);
    expect(out.attributes.slice(0, 5)).toEqual([
      { key: "s", value: { stringValue: "xxxxxxxxxx" } },
      { key: "i", value: { intValue: "42" } },
      { key: "d", value: { doubleValue: 0.5 } },
      { key: "b", value: { boolValue: true } },
      { key: "a", value: { arrayValue: { values: [{ stringValue: "p" }, { stringValue: "q" }] } } },
    ]);
    expect(out.attributes.some((a: any) => a.key === "none" || a.key === "inf")).toBe(false);
    expect(out.status).toEqual({ code: 2, message: "boom" });
  });
});

describe("settings", () => {
  test("the config wins over the variables; a base endpoint gets /v1/traces; OTEL_SDK_DISABLED and enabled: false turn it off", () => {
    const env = {
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318/",
      OTEL_EXPORTER_OTLP_HEADERS: "x-api-key=abc%3D,  bad, x-team = t1",
      OTEL_SERVICE_NAME: "gw-prod",
      OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
      OTEL_TRACES_SAMPLER_ARG: "0.1",
    };
    expect(otelSettings(undefined, env)).toEqual({
      endpoint: "http://collector:4318/v1/traces",
      headers: { "x-api-key": "abc=", "x-team": "t1" },
      ratio: 0.1,
      parentBased: true,
      captureContent: false,
      maxAttributeLength: 4096,
      serviceName: "gw-prod",
    });
    expect(otelSettings({ endpoint: "https://otlp.example/v1/traces", sample_ratio: 1, service_name: "mine", headers: { a: "b" } }, env)).toMatchObject({
      endpoint: "https://otlp.example/v1/traces",
      headers: { a: "b" },
      ratio: 1,
      serviceName: "mine",
    });
    expect(otelSettings(undefined, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://c:4318/custom" })?.endpoint).toBe("http://c:4318/custom");
    expect(otelSettings(undefined, { ...env, OTEL_SDK_DISABLED: "true" })).toBeUndefined();
    expect(otelSettings({ endpoint: "http://c", enabled: false }, {})).toBeUndefined();
    expect(otelSettings(undefined, {})).toBeUndefined();
    expect(otelSettings(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: "ftp://x", OTEL_TRACES_SAMPLER: "always_off" })).toBeUndefined();
    expect(otelSettings(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: "http://x", OTEL_TRACES_SAMPLER: "always_off" })).toMatchObject({
      ratio: 0,
      parentBased: false,
    });
    expect(parseHeaderList("k=%zz,ok=1")).toEqual({ ok: "1" });
  });
});
