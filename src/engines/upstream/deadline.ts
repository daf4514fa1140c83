// One re-armable timer per upstream call that aborts it and remembers which deadline fired.

/** Aborts a controller when the armed deadline passes. */
export class Deadline {
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Which deadline fired, if one did. */
  fired: string | undefined;
  /** Length of the last armed deadline, in ms. */
  ms = 0;

  constructor(private readonly abort: AbortController) {}

  /** Starts (or restarts) the deadline; 0 disarms it. */
  arm(ms: number, name: string): void {
    this.clear();
    if (ms <= 0) return;
    this.ms = ms;
    this.timer = setTimeout(() => {
      this.fired = name;
      this.abort.abort();
    }, ms);
  }

  /** Restarts the armed deadline's clock from now (an idle deadline, after a sign of life). */
  refresh(): void {
    this.timer?.refresh();
  }

  /** Stops the deadline. */
  clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
