// Sends spans to an OTLP/HTTP collector off the request path: a bounded queue (full: new spans are dropped and
// counted), batches every second or every 512 spans, one export in flight, retries with back-off on throttling,
// server errors and network failures, and a final flush on shutdown. A dead or slow collector costs requests nothing.
import { log, type Logger } from "../core";
import { otlpRequest, type Span } from "./span";

/** How the exporter batches and retries. */
export interface ExporterOptions {
  endpoint: string;
  headers?: Record<string, string>;
  serviceName: string;
  version: string;
  maxAttributeLength: number;
  /** Spans waiting at most (default 2048); past it new spans are dropped. */
  maxQueue?: number;
  /** Spans per export (default 512). */
  batchSize?: number;
  /** Longest wait before a partial batch goes (default 1000 ms). */
  intervalMs?: number;
  /** One export's time limit (default 10 000 ms). */
  timeoutMs?: number;
  /** Tries per batch (default 4: the first and three retries, 0.5 s, 1 s, 2 s apart, or what Retry-After says up to 30 s). */
  attempts?: number;
  logger?: Logger;
}

const RETRY_STATUS = new Set([408, 429, 502, 503, 504]);

/** The OTLP/HTTP JSON span exporter. */
export class SpanExporter {
  /** Spans dropped: the queue was full, or their batch failed every try. */
  dropped = 0;
  /** Spans the collector took. */
  exported = 0;
  private queue: Span[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private sending: Promise<void> | undefined;
  private closed = false;
  private lastWarning = 0;

  constructor(private readonly opts: ExporterOptions) {}

  /** Queues finished spans (never waits, never throws). */
  add(spans: readonly Span[]): void {
    if (this.closed) {
      this.dropped += spans.length;
      return;
    }
    const room = (this.opts.maxQueue ?? 2048) - this.queue.length;
    if (spans.length > room) {
      this.dropped += spans.length - Math.max(0, room);
      if (room <= 0) return;
      spans = spans.slice(0, room);
    }
    for (const s of spans) this.queue.push(s);
    if (this.queue.length >= (this.opts.batchSize ?? 512)) this.kick();
    else if (!this.timer && !this.sending) {
      this.timer = setTimeout(() => this.kick(), this.opts.intervalMs ?? 1000);
      this.timer.unref?.();
    }
  }

  /** Spans waiting to be sent. */
  get queued(): number {
    return this.queue.length;
  }

  /** Sends what is queued; resolves when the queue is empty or `deadlineMs` passes. */
  async flush(deadlineMs = 5000): Promise<void> {
    const until = Date.now() + deadlineMs;
    while ((this.queue.length || this.sending) && Date.now() < until) {
      this.kick();
      await Promise.race([this.sending, Bun.sleep(Math.max(0, until - Date.now()))]);
    }
  }

  /** Flushes, then takes no more spans. */
  async shutdown(deadlineMs = 5000): Promise<void> {
    await this.flush(deadlineMs);
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.dropped += this.queue.length;
    this.queue = [];
  }

  private kick(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.sending || !this.queue.length || this.closed) return;
    this.sending = this.drain().finally(() => {
      this.sending = undefined;
      if (this.queue.length && !this.closed) this.add([]); // more came meanwhile: the next batch is scheduled
    });
  }

  private async drain(): Promise<void> {
    const batch = this.queue.splice(0, this.opts.batchSize ?? 512);
    const o = this.opts;
    const body = otlpRequest(batch, o.serviceName, o.version, o.maxAttributeLength);
    const tries = o.attempts ?? 4;
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.send(body);
      if (outcome === "ok") {
        this.exported += batch.length;
        return;
      }
      if (outcome.final || attempt >= tries || this.closed) {
        this.dropped += batch.length;
        this.warn(outcome.why, batch.length);
        return;
      }
      await Bun.sleep(outcome.waitMs ?? 500 * 2 ** (attempt - 1));
    }
  }

  private async send(body: string): Promise<"ok" | { final: boolean; why: string; waitMs?: number }> {
    try {
      const res = await fetch(this.opts.endpoint, {
        method: "POST",
        headers: { "content-type": "application/json", ...this.opts.headers },
        body,
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
        redirect: "manual",
      });
      await res.arrayBuffer().catch(() => {});
      if (res.ok) return "ok";
      const after = Number(res.headers.get("retry-after"));
      const waitMs = Number.isFinite(after) && after > 0 ? Math.min(after, 30) * 1000 : undefined;
      return { final: !RETRY_STATUS.has(res.status), why: `HTTP ${res.status}`, waitMs };
    } catch (err) {
      return { final: false, why: (err as Error)?.name === "TimeoutError" ? "timed out" : String((err as Error)?.message ?? err) };
    }
  }

  /** One warning a minute at most: a collector that is down must not flood the log. */
  private warn(why: string, spans: number): void {
    const now = Date.now();
    if (now - this.lastWarning < 60_000) return;
    this.lastWarning = now;
    (this.opts.logger ?? log).warn("trace export failed; spans dropped", { endpoint: this.opts.endpoint, why, spans, dropped_total: this.dropped });
  }
}
