// fetch() has no connect timeout of its own. Before a request to an origin that has not answered
// lately (so no warm keep-alive connection is likely), a TCP connect with a deadline finds a dead
// or black-holed host in connect_timeout_ms instead of waiting out the first-byte timeout.

/** Raised when the TCP connect did not complete in time or was refused. */
export class ConnectFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConnectFailed";
  }
}

/** A per-origin TCP reachability check, skipped while the origin answered recently. */
export class ConnectProbe {
  private lastOk = -Infinity;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly timeoutMs: number,
    /** How long a success vouches for the origin. */
    private readonly freshMs = 5_000,
  ) {}

  /** Records that the origin just answered. */
  markOk(): void {
    this.lastOk = performance.now();
  }

  /** True while a recent answer vouches for the origin (no probe needed). */
  get fresh(): boolean {
    return performance.now() - this.lastOk < this.freshMs;
  }

  /** Resolves when the origin is fresh or accepts a TCP connection in time; rejects with ConnectFailed otherwise. */
  async check(): Promise<void> {
    if (this.fresh) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ConnectFailed(`connect to ${this.host}:${this.port} timed out after ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    try {
      // inside the try: Bun.connect may throw at once (a bad host), and the timer must still be cleared
      const connect = Bun.connect({
        hostname: this.host,
        port: this.port,
        socket: {
          data() {},
          open(s) {
            s.end();
          },
        },
      }).then(
        (s) => s.end(),
        (err: Error) => {
          throw new ConnectFailed(`connect to ${this.host}:${this.port} failed: ${err.message}`);
        },
      );
      await Promise.race([connect, deadline]);
      this.markOk();
    } catch (err) {
      throw err instanceof ConnectFailed ? err : new ConnectFailed(`connect to ${this.host}:${this.port} failed: ${(err as Error)?.message ?? err}`);
    } finally {
      clearTimeout(timer);
    }
  }
}
