// The gateway's tracer: a trace for each LLM request (continuing the client's W3C parent), a CLIENT span for each
// upstream attempt with the traceparent it carried, and at the end one SERVER span, all handed to the exporter.
// Unsampled requests still propagate a traceparent; only sampled ones build attributes and spans.
import type { AccessRecord, ApiFormat, AttemptSpan, ContextView, LazyBody, RequestContext, StreamPipeline, TraceFacts } from "../core";
import { answerFacts, type ApiCodec } from "../protocols";
import { answerTextOf, outputMessages, textCollector } from "./output-capture";
import { operationOf, providerOf } from "../protocols/genai-names";
import { requestAttributes, responseAttributes } from "./attributes";
import type { OtelSettings } from "./config";
import type { SpanExporter } from "./exporter";
import type { Span } from "./span";
import { formatTraceparent, newSpanId, newTraceId, parseTraceparent, sampledByRatio } from "./trace-context";

const epochMs = () => performance.timeOrigin + performance.now();

/** Starts the CLIENT span of one upstream attempt; the traceparent value the attempt sends. */
export function startAttempt(trace: TraceFacts, format: ApiFormat, url: string, backend: string | undefined): { header: string; span?: AttemptSpan } {
  const spanId = newSpanId();
  const header = formatTraceparent(trace.traceId, spanId, trace.sampled);
  if (!trace.sampled) return { header };
  const span: AttemptSpan = { spanId, startMs: epochMs(), format, url };
  if (backend) span.backend = backend;
  trace.attempts.push(span);
  return { header, span };
}

/** Ends an attempt's span (the first end counts), with what the answer said of itself. */
export function endAttempt(span: AttemptSpan | undefined, status?: number, error?: string, facts?: { id?: string; finishReasons: string[] }): void {
  if (!span || span.endMs !== undefined) return;
  span.endMs = epochMs();
  if (status !== undefined) span.status = status;
  if (error) span.error = error;
  if (facts?.id) span.responseId = facts.id;
  if (facts?.finishReasons.length) span.finishReasons = facts.finishReasons;
}

/** What the tracer needs of a finished exchange. */
export interface TracedExchange {
  ctx: ContextView;
  format?: ApiFormat;
}

/** Makes traces and hands finished spans to the exporter. */
export class Tracer {
  constructor(
    readonly settings: OtelSettings,
    readonly exporter: SpanExporter,
  ) {}

  /** The trace of a request that arrived with these headers. */
  begin(headers: Headers): TraceFacts {
    const parent = parseTraceparent(headers.get("traceparent"), headers.get("tracestate"));
    const traceId = parent?.traceId ?? newTraceId();
    const s = this.settings;
    const sampled = parent && s.parentBased ? parent.sampled : sampledByRatio(traceId, s.ratio);
    const trace: TraceFacts = { traceId, spanId: newSpanId(), sampled, startMs: epochMs(), attempts: [] };
    if (parent) {
      trace.parentSpanId = parent.spanId;
      if (parent.tracestate) trace.tracestate = parent.tracestate;
    }
    return trace;
  }

  /** Reads the request's parameters (and content, when captured) for a sampled trace. */
  request(ctx: RequestContext, format: ApiFormat, body: LazyBody): void {
    const t = ctx.trace;
    if (!t?.sampled) return;
    try {
      t.request = requestAttributes(format, body, this.settings.captureContent, this.settings.maxAttributeLength);
    } catch {
      /* a field that does not parse: the request fails on it elsewhere, the span goes without */
    }
  }

  /** Reads a whole answer as the client receives it (its id, finish reasons, and text when content is captured). */
  captureAnswer(ctx: RequestContext, codec: ApiCodec, bytes: Uint8Array): void {
    const t = ctx.trace;
    if (!t?.sampled) return;
    t.answer = answerFacts(bytes, bytes);
    if (this.settings.captureContent) t.output = { text: answerTextOf(codec, bytes, this.settings.maxAttributeLength) };
  }

  /** The stream with a stage that keeps its text for the span, when this trace captures content (else the stream as it is). */
  captureStream(ctx: RequestContext, codec: ApiCodec, stream: StreamPipeline): StreamPipeline {
    const t = ctx.trace;
    if (!t?.sampled || !this.settings.captureContent) return stream;
    t.output = { text: "" };
    return stream.through(textCollector(codec, this.settings.maxAttributeLength, t.output));
  }

  /** The spans of a finished exchange, queued for export (sampled traces only). */
  end(x: TracedExchange, rec: AccessRecord): void {
    const t = x.ctx.trace;
    if (!t?.sampled) return;
    this.exporter.add(this.spans(t, x, rec));
  }

  private spans(t: Readonly<TraceFacts>, x: TracedExchange, rec: AccessRecord): Span[] {
    const now = epochMs();
    const op = operationOf(x.format);
    const last = t.attempts.at(-1);
    // the answer as the client got it: a whole answer read in the response writer, a stream from its attempt's meter
    const id = t.answer ? t.answer.id : last?.responseId;
    const reasons = t.answer ? t.answer.finishReasons : last?.finishReasons;
    const server: Span = {
      traceId: t.traceId,
      spanId: t.spanId,
      parentSpanId: t.parentSpanId,
      traceState: t.tracestate,
      name: `${op} ${rec.model ?? ""}`.trim(),
      kind: "server",
      startMs: t.startMs,
      endMs: now,
      attributes: {
        "gen_ai.operation.name": op,
        "gen_ai.provider.name": providerOf(last?.format),
        ...t.request,
        ...responseAttributes(rec, x.ctx),
        "gen_ai.response.id": id,
        "gen_ai.response.finish_reasons": reasons?.length ? reasons : undefined,
        "gen_ai.output.messages": t.output && outputMessages(t.output.text, reasons, this.settings.maxAttributeLength),
        "octollm.conversion": last && x.format && last.format !== x.format ? `${x.format}→${last.format}` : undefined,
        "http.request.method": rec.method,
        "url.path": rec.path,
      },
    };
    if (rec.status >= 500) server.error = rec.error ?? `HTTP ${rec.status}`;
    const spans = [server];
    for (const a of t.attempts) spans.push(this.clientSpan(t, a, op, rec, now));
    return spans;
  }

  private clientSpan(t: Readonly<TraceFacts>, a: Readonly<AttemptSpan>, op: string, rec: AccessRecord, now: number): Span {
    let host: string | undefined;
    let port: number | undefined;
    try {
      const u = new URL(a.url);
      host = u.hostname;
      port = Number(u.port) || (u.protocol === "https:" ? 443 : 80);
    } catch {}
    const model = rec.upstream_model ?? rec.model;
    const span: Span = {
      traceId: t.traceId,
      spanId: a.spanId,
      parentSpanId: t.spanId,
      name: `${op} ${model ?? ""}`.trim(),
      kind: "client",
      startMs: a.startMs,
      endMs: a.endMs ?? now,
      attributes: {
        "gen_ai.operation.name": op,
        "gen_ai.provider.name": providerOf(a.format),
        "gen_ai.request.model": model,
        "server.address": host,
        "server.port": port,
        "http.response.status_code": a.status,
        "gen_ai.response.id": a.responseId,
        "gen_ai.response.finish_reasons": a.finishReasons,
        "error.type": a.error ?? (a.status !== undefined && a.status >= 400 ? String(a.status) : undefined),
        "octollm.backend": a.backend,
      },
    };
    if (a.error || (a.status ?? 0) >= 400) span.error = a.error ?? `HTTP ${a.status}`;
    return span;
  }
}
