// OpenTelemetry traces: the tracer, its OTLP/HTTP exporter and their configuration.
export { OtelSchema, otelSettings, parseHeaderList, type OtelConfig, type OtelSettings } from "./config";
export { SpanExporter, type ExporterOptions } from "./exporter";
export { Tracer, startAttempt, endAttempt, type TracedExchange } from "./tracer";
export { parseTraceparent, formatTraceparent, newSpanId, newTraceId, sampledByRatio, type Parent } from "./trace-context";
export { otlpSpan, otlpRequest, unixNanos, type Span, type AttrValue } from "./span";
export { operationOf, providerOf } from "../protocols/genai-names";
export { makeTracer, exporterReadings } from "./setup";
