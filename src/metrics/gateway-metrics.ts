// The gateway's Prometheus metrics, fed by each request's access record. Every label value is bounded:
// models, backends and orgs are those of the config (anything else is "(other)"), statuses are HTTP codes,
// kinds come from fixed sets. No key, user text or raw path ever becomes a label.
import type { AccessRecord, RequestObserver } from "../core";
import { GenAiMetrics } from "./genai-metrics";
import { Counter, Derived, Gauge, Histogram, Registry, type HistogramSeries } from "./registry";

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
const MODERATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** What the metrics read from the running config. */
export interface MetricsSources {
  /** The names a label may take; anything else is "(other)". */
  models(): ReadonlySet<string>;
  orgs(): ReadonlySet<string>;
  backends(): ReadonlySet<string>;
  /** The model names backends send upstream (their `model:`), for the GenAI response-model label. */
  upstreamModels?(): ReadonlySet<string>;
  configVersion(): number;
  reloadFailures(): number;
  version: string;
}

/** Every metric of a gateway process; observes requests and renders the text format. */
export class GatewayMetrics implements RequestObserver {
  private readonly registry = new Registry();
  readonly requests = this.registry.add(
    new Counter("octollm_requests_total", "Requests answered, by model, backend, HTTP status and protocol", ["model", "backend", "status", "protocol"]),
  );
  readonly duration = this.registry.add(
    new Histogram("octollm_request_duration_seconds", "Time from the request's arrival to the end of its answer", ["model", "protocol"], LATENCY_BUCKETS),
  );
  readonly ttft = this.registry.add(
    new Histogram(
      "octollm_time_to_first_token_seconds",
      "Time from a streamed request's arrival to the first byte of its answer",
      ["model", "protocol"],
      LATENCY_BUCKETS,
    ),
  );
  readonly tokens = this.registry.add(
    new Counter("octollm_tokens_total", "Tokens the answers reported, by model, org and direction (input includes cache reads and writes)", [
      "model",
      "org",
      "direction",
    ]),
  );
  readonly cost = this.registry.add(
    new Counter("octollm_cost_usd_total", "What the answers cost in USD, at the serving backend's price, by model, backend and org", [
      "model",
      "backend",
      "org",
    ]),
  );
  readonly cacheTokens = this.registry.add(
    new Counter(
      "octollm_cache_tokens_total",
      "Input tokens by prompt-cache use (read, write, uncached), by model and backend: the cache-hit ratio is read / all",
      ["model", "backend", "kind"],
    ),
  );
  /** Cache reads alone, and the cache-hit ratio, per model and backend: read from cacheTokens when scraped. */
  readonly cacheRead = this.registry.add(
    new Derived(
      "octollm_cache_read_tokens_total",
      "Input tokens read from the provider's prompt cache, by model and backend",
      "counter",
      ["model", "backend"],
      () => this.cacheSums("read"),
    ),
  );
  readonly cacheHitRatio = this.registry.add(
    new Derived(
      "octollm_cache_hit_ratio",
      "Share of input tokens read from the prompt cache since start (read / (read + write + uncached)), by model and backend",
      "gauge",
      ["model", "backend"],
      () => this.cacheSums("ratio"),
    ),
  );
  readonly upstreamErrors = this.registry.add(
    new Counter("octollm_upstream_errors_total", "Upstream attempts that failed (unreachable, timed out, or answered 408/429/5xx)", [
      "model",
      "backend",
      "kind",
    ]),
  );
  readonly retries = this.registry.add(new Counter("octollm_retries_total", "Attempts beyond the first (failover to another backend)", ["model"]));
  readonly webSearches = this.registry.add(
    new Counter("octollm_web_searches_total", "Searches the gateway ran for the web_search tool (each one is paid), by model and org", ["model", "org"]),
  );
  readonly rateLimited = this.registry.add(
    new Counter("octollm_rate_limited_total", "Requests refused by the gateway's own rate limits, by scope", ["model", "scope"]),
  );
  readonly moderation = this.registry.add(
    new Counter("octollm_moderation_decisions_total", "Moderation decisions (error: the service failed)", ["model", "direction", "decision"]),
  );
  readonly moderationTime = this.registry.add(
    new Histogram(
      "octollm_moderation_duration_seconds",
      "Time spent waiting on the moderation service per request and direction",
      ["direction"],
      MODERATION_BUCKETS,
    ),
  );
  readonly adminAuthFailures = this.registry.add(
    new Counter("octollm_admin_auth_failures_total", "Admin API requests refused for a missing or wrong admin key"),
  );
  private readonly inFlight = this.registry.add(new Gauge("octollm_streams_in_flight", "Streamed answers going out now"));
  private readonly genai = new GenAiMetrics(this.registry);
  private readonly common = new Map<
    string,
    { requests: { n: number }; duration: HistogramSeries; ttft: HistogramSeries; tokensIn: { n: number }; tokensOut: { n: number }; cost: { n: number } }
  >();

  constructor(private readonly sources: MetricsSources) {
    const r = this.registry;
    r.add(new Gauge("octollm_config_version", "Version of the config serving (the database's, or the count of file loads)", () => sources.configVersion()));
    r.add(
      new Gauge(
        "octollm_config_reload_failures_total",
        "Config reloads refused (invalid config or unreadable source)",
        () => sources.reloadFailures(),
        "counter",
      ),
    );
    r.add(new Gauge("process_resident_memory_bytes", "Resident memory of this process", () => process.memoryUsage.rss()));
    r.add(new Gauge("octollm_build_info", "The running version", () => 1, "gauge", { version: sources.version }));
  }

  /** A value read when the metrics are rendered (a gauge, or a counter that only grows). */
  addReading(name: string, help: string, read: () => number, type: "gauge" | "counter" = "gauge"): void {
    this.registry.add(new Gauge(name, help, read, type));
  }

  /** Streams in flight now. */
  get streamsInFlight(): number {
    return this.inFlight.get();
  }

  streamStarted(): void {
    this.inFlight.add(1);
  }

  streamEnded(): void {
    this.inFlight.add(-1);
  }

  ended(rec: AccessRecord): void {
    const s = this.sources;
    const served = rec.route ?? rec.model; // the config key: a pattern's many names count as the pattern
    const model = served === undefined ? "(none)" : s.models().has(served) ? served : "(other)";
    const backend = rec.backend === undefined ? "(none)" : s.backends().has(rec.backend) ? rec.backend : "(other)";
    const org = rec.org === undefined ? "(anonymous)" : s.orgs().has(rec.org) ? rec.org : "(other)";
    // the series every request touches, found with one lookup per kind of request
    const key = `${model}\u0000${backend}\u0000${rec.status}\u0000${rec.protocol}\u0000${org}`;
    let common = this.common.get(key);
    if (!common) {
      if (this.common.size > 10_000) this.common.clear(); // bounded labels keep this small; a guard all the same
      common = {
        requests: this.requests.at([model, backend, String(rec.status), rec.protocol]),
        duration: this.duration.at([model, rec.protocol]),
        ttft: this.ttft.at([model, rec.protocol]),
        tokensIn: this.tokens.at([model, org, "input"]),
        tokensOut: this.tokens.at([model, org, "output"]),
        cost: this.cost.at([model, backend, org]),
      };
      this.common.set(key, common);
    }
    common.requests.n++;
    this.duration.record(common.duration, rec.ms / 1000);
    if (rec.ttft_ms !== undefined) this.ttft.record(common.ttft, rec.ttft_ms / 1000);
    if (rec.tokens_in) common.tokensIn.n += rec.tokens_in;
    if (rec.tokens_out) common.tokensOut.n += rec.tokens_out;
    if (rec.cost_usd) common.cost.n += rec.cost_usd;
    if (rec.tokens_in) {
      const read = rec.cache_read ?? 0;
      const write = rec.cache_write ?? 0;
      if (read) this.cacheTokens.inc([model, backend, "read"], read);
      if (write) this.cacheTokens.inc([model, backend, "write"], write);
      this.cacheTokens.inc([model, backend, "uncached"], Math.max(0, rec.tokens_in - read - write));
    }
    for (const e of rec.upstream_errors ?? []) {
      this.upstreamErrors.inc([
        model,
        s.backends().has(e.backend) ? e.backend : "(other)",
        /^(http_\d{3}|timeout|upstream_unavailable)$/.test(e.kind) ? e.kind : "other",
      ]);
    }
    if (rec.attempts && rec.attempts > 1) this.retries.inc([model], rec.attempts - 1);
    if (rec.web_searches) this.webSearches.inc([model, org], rec.web_searches);
    if (rec.rate_limited) this.rateLimited.inc([model, rec.rate_limited]);
    for (const m of rec.moderation ?? []) {
      this.moderation.inc([model, m.direction, m.decision]);
      this.moderationTime.observe([m.direction], m.ms / 1000);
    }
    const up = rec.upstream_model;
    const responseModel = up === undefined ? "(none)" : up === served ? model : s.upstreamModels?.().has(up) || s.models().has(up) ? up : "(other)";
    this.genai.observe(rec, model, responseModel);
  }

  /** The Prometheus text exposition. */
  /** Per model and backend, from cacheTokens: the tokens read, or the share of input tokens read. */
  private *cacheSums(what: "read" | "ratio"): Iterable<[readonly string[], number]> {
    const sums = new Map<string, { values: string[]; read: number; all: number }>();
    for (const { values, n } of this.cacheTokens.entries()) {
      const key = `${values[0]}\u0000${values[1]}`;
      let s = sums.get(key);
      if (!s) sums.set(key, (s = { values: [values[0]!, values[1]!], read: 0, all: 0 }));
      if (values[2] === "read") s.read += n;
      s.all += n;
    }
    for (const s of sums.values()) yield [s.values, what === "read" ? s.read : s.all > 0 ? Math.round((s.read / s.all) * 1e4) / 1e4 : 0];
  }

  render(): string {
    return this.registry.render();
  }
}
