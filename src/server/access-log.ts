// One JSON line per request, buffered and flushed off the hot path.
import { log, type AccessRecord, type LogFormat, type Logger, type RequestObserver } from "../core";

/** Where access lines go: a sink that takes whole lines. */
export interface LineSink {
  write(line: string): void;
}

/** Writes access records as JSON lines to a sink (stdout by default), flushing every 50 ms. */
export class AccessLog {
  private pending = "";
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly sink: LineSink = stdoutSink(),
    private readonly enabled = true,
    /** Told of every request, in order (the metrics, the ledger): a list, so that adding one never drops another. */
    readonly observers: RequestObserver[] = [],
    /** JSON lines, or readable text (a terminal); secrets are redacted either way. */
    public format: LogFormat = "json",
    /** The process's log, for debug lines about a request (the one `serve` sets the level of). */
    readonly logger: Logger = log,
  ) {}

  /** Queues one record (and tells the observers). */
  write(rec: AccessRecord): void {
    for (const o of this.observers) o.ended(rec);
    if (!this.enabled) return;
    this.pending +=
      this.format === "text"
        ? log.render("info", "access", rec as unknown as Record<string, unknown>, "text")
        : log.redact(JSON.stringify({ ts: new Date().toISOString(), level: "info", msg: "access", ...rec })) + "\n";
    if (this.pending.length > 65_536) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), 50);
  }

  /** Writes out what is queued. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.pending) return;
    const out = this.pending;
    this.pending = "";
    this.sink.write(out);
  }
}

function stdoutSink(): LineSink {
  const writer = Bun.stdout.writer();
  return {
    write: (text) => {
      writer.write(text);
      writer.flush();
    },
  };
}
