// Per-backend circuit breaker: after `threshold` failures in a row the backend rests for `cooldownMs`,
// then one request probes it; success closes the circuit, failure opens it again.
import { FAILOVER_DEFAULTS } from "./defaults";
import { log, type Logger } from "../../core";

/** The state of a breaker, for logs and tests. */
export type BreakerState = "closed" | "open" | "half-open";

/** A consecutive-failure circuit breaker with a half-open probe. */
export class CircuitBreaker {
  private failures = 0;
  private openUntil = 0;
  private probeSince = 0;

  constructor(
    readonly name: string,
    private readonly threshold: number = FAILOVER_DEFAULTS.failureThreshold,
    private readonly cooldownMs: number = FAILOVER_DEFAULTS.cooldownMs,
    private readonly now: () => number = () => performance.now(),
    /** Where state changes are logged. */
    private readonly logger: Logger = log,
  ) {}

  /** The current state. */
  get state(): BreakerState {
    if (this.openUntil === 0) return "closed";
    return this.now() < this.openUntil ? "open" : "half-open";
  }

  /** Milliseconds of rest left while the circuit is open (0 when closed or probing). */
  get restLeftMs(): number {
    return this.openUntil === 0 ? 0 : Math.max(0, Math.round(this.openUntil - this.now()));
  }

  /** May a request go to this backend now? In half-open state only one probe at a time is let through. */
  tryAcquire(): boolean {
    if (this.openUntil === 0) return true;
    const now = this.now();
    if (now < this.openUntil) return false;
    if (this.probeSince !== 0 && now - this.probeSince < this.cooldownMs) return false;
    this.probeSince = now;
    return true;
  }

  /** Records a success: the circuit closes. */
  success(): void {
    if (this.openUntil !== 0) logState(this.logger, this.name, "closed");
    this.failures = 0;
    this.openUntil = 0;
    this.probeSince = 0;
  }

  /** Records a failure: enough in a row (or a failed probe) open the circuit. */
  failure(): void {
    this.failures++;
    this.probeSince = 0;
    if (this.failures >= this.threshold || this.openUntil !== 0) {
      if (this.openUntil === 0) logState(this.logger, this.name, "open");
      this.openUntil = this.now() + this.cooldownMs;
    }
  }
}

function logState(logger: Logger, backend: string, state: BreakerState): void {
  if (state === "open") logger.warn(`backend circuit ${state}`, { backend });
  else logger.info(`backend circuit ${state}`, { backend });
}
