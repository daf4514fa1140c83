// The gateway's tracer from `server.otel` and the environment, and the exporter's readings for /metrics.
import type { Logger } from "../core";
import { otelSettings, type OtelConfig } from "./config";
import { SpanExporter } from "./exporter";
import { Tracer } from "./tracer";

/** The tracer of `server.otel` (and the OTEL_* variables), or undefined when tracing is off. */
export function makeTracer(cfg: OtelConfig | undefined, env: Record<string, string | undefined>, version: string, logger: Logger): Tracer | undefined {
  const s = otelSettings(cfg, env);
  if (!s) return undefined;
  return new Tracer(
    s,
    new SpanExporter({ endpoint: s.endpoint, headers: s.headers, serviceName: s.serviceName, version, maxAttributeLength: s.maxAttributeLength, logger }),
  );
}

/** The exporter's counts as /metrics readings: name, help, value, type. */
export function exporterReadings(e: SpanExporter): [string, string, () => number, "counter" | "gauge"][] {
  return [
    ["octollm_otel_spans_dropped_total", "Spans dropped: the export queue was full or the collector failed every try", () => e.dropped, "counter"],
    ["octollm_otel_spans_exported_total", "Spans the collector accepted", () => e.exported, "counter"],
    ["octollm_otel_spans_queued", "Spans waiting to be exported", () => e.queued, "gauge"],
  ];
}
