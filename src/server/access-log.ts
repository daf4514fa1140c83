// One JSON line per request, buffered and flushed off the hot path.
import type { ModerationRecord } from "../core";

/** The fields of one access-log line. */
export interface AccessRecord {
  rid: string;
  method: string;
  path: string;
  model?: string;
  backend?: string;
  status: number;
  ms: number;
  bytes_in: number;
  bytes_out: number;
  tags?: string[];
  /** Upstream attempts, when there was more than one. */
  attempts?: number;
  /** Moderation decisions, with their latency and flagged category. */
  moderation?: ModerationRecord[];
  outcome?: "ok" | "error" | "client_closed" | "upstream_failed";
  error?: string;
}

/** Where access lines go: a sink that takes whole lines. */
export interface LineSink {
  write(line: string): void;
}

/** Writes access records as JSON lines to a sink (stdout by default), flushing every 50 ms. */
export class AccessLog {
  private pending = "";
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly sink: LineSink = stdoutSink(), private readonly enabled = true) {}

  /** Queues one record. */
  write(rec: AccessRecord): void {
    if (!this.enabled) return;
    this.pending += JSON.stringify({ ts: new Date().toISOString(), level: "info", msg: "access", ...rec }) + "\n";
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
  return { write: (text) => { writer.write(text); writer.flush(); } };
}
