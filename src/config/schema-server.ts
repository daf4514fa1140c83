// The `server` section of the config schema: listening, limits on what clients send, timeouts, logging,
// metrics, failover defaults, and the stores the gateway uses.
import * as v from "valibot";
import { FAILOVER_DEFAULTS } from "../engines/balancer/defaults";
import { SECRET_TYPE_MESSAGE } from "../core/config-fields";
import { OtelSchema } from "../otel/config";

/** Fewest characters of an admin key, from the config or from OCTOLLM_ADMIN_KEY. */
export const ADMIN_KEY_MIN = 16;

/** The `server` section. */
export const ServerSchema = v.strictObject({
  host: v.optional(v.pipe(v.string(), v.minLength(1), v.description("Listen address")), "127.0.0.1"),
  port: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(65535), v.description("Listen port (0: any free port)")), 8080),
  max_body_bytes: v.optional(
    v.pipe(v.number(), v.integer(), v.minValue(1), v.description("Largest request body accepted; larger ones get 413")),
    32 * 1024 * 1024,
  ),
  max_response_bytes: v.optional(
    v.pipe(
      v.number(),
      v.integer(),
      v.minValue(1024),
      v.description("Largest whole (non-stream) upstream answer the gateway holds in memory; a larger one is a 502"),
    ),
    64 * 1024 * 1024,
  ),
  json_check_max_bytes: v.optional(
    v.pipe(
      v.number(),
      v.integer(),
      v.minValue(0),
      v.description(
        "Bodies up to this size are fully parsed at the edge so malformed JSON gets a 400 here; larger ones are checked by framing and a top-level scan (see docs/config.md)",
      ),
    ),
    65536,
  ),
  access_log: v.optional(v.pipe(v.boolean(), v.description("Write one JSON access-log line per request to stdout")), true),
  log_level: v.optional(
    v.pipe(v.picklist(["debug", "info", "warn", "error"]), v.description("Least severe log line written to stderr (--log-level overrides it)")),
    "info",
  ),
  log_format: v.optional(
    v.pipe(v.picklist(["auto", "json", "text"]), v.description("stderr log lines: JSON, readable text, or auto (text in a terminal, else JSON)")),
    "auto",
  ),
  metrics: v.optional(v.pipe(v.boolean(), v.description("Serve Prometheus metrics on GET /metrics")), true),
  dashboard: v.optional(
    v.pipe(
      v.boolean(),
      v.description("Serve the dashboard on /admin/ui: sign in with the admin key; without one, on a loopback address only, by the one-time link serve prints"),
    ),
    true,
  ),
  usage_db: v.optional(
    v.pipe(
      v.string(SECRET_TYPE_MESSAGE),
      v.minLength(1),
      v.description("Usage ledger database: a SQLite path or a postgres:// URL (may be the config database)"),
    ),
  ),
  usage_retention_days: v.optional(
    v.pipe(
      v.number(),
      v.integer(),
      v.minValue(0),
      v.maxValue(36_500),
      v.description("Days raw ledger rows are kept (0: always; default 90); daily rollups stay"),
    ),
  ),
  metrics_key: v.optional(
    v.pipe(
      v.string(SECRET_TYPE_MESSAGE),
      v.minLength(ADMIN_KEY_MIN, `the metrics key needs at least ${ADMIN_KEY_MIN} characters`),
      v.description(
        "When set, GET /metrics needs this key (Bearer or x-api-key): model, org and backend names stay private (default: env OCTOLLM_METRICS_KEY, else open)",
      ),
    ),
  ),
  body_timeout_ms: v.optional(
    v.pipe(
      v.number(),
      v.integer(),
      v.minValue(0),
      v.description(
        "A request body with content-length must arrive within this plus 1 s per 256 KiB; a chunked one may not pause longer than this. Past it: 408 (0: no limit)",
      ),
    ),
    30_000,
  ),
  otel: v.optional(
    v.pipe(OtelSchema, v.description("OpenTelemetry traces over OTLP/HTTP (GenAI conventions); the OTEL_* variables apply where this says nothing")),
  ),
  tls: v.optional(
    v.pipe(
      v.strictObject({
        cert_file: v.pipe(v.string(), v.minLength(1), v.description("PEM certificate (chain) file")),
        key_file: v.pipe(v.string(), v.minLength(1), v.description("PEM private key file")),
      }),
      v.description("Serve HTTPS with these files (Bun's built-in TLS); without it, keys and prompts travel in clear text"),
    ),
  ),
  shutdown_grace_ms: v.optional(
    v.pipe(v.number(), v.integer(), v.minValue(0), v.description("On SIGTERM/SIGINT: how long answers in flight may take to finish before the process exits")),
    30_000,
  ),
  redis_url: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^rediss?:\/\//, "must be a redis:// or rediss:// URL"),
      v.description("Share limit counters through this Redis (default: env REDIS_URL, else in memory)"),
    ),
  ),
  redis_key_prefix: v.optional(
    v.pipe(v.string(), v.minLength(1), v.description("Prefix of every Redis key (to share one Redis between gateways or environments)")),
    "octollm:",
  ),
  limits_on_store_error: v.optional(
    v.pipe(v.picklist(["open", "closed"]), v.description("When Redis cannot be reached: let requests through (open) or refuse them with 503 (closed)")),
    "open",
  ),
  max_output_reservation: v.optional(
    v.pipe(v.number(), v.integer(), v.minValue(1), v.description("Most output tokens a request reserves against token limits before its real usage is known")),
    4096,
  ),
  config_db: v.optional(
    v.pipe(
      v.string(),
      v.minLength(1),
      v.description(
        "Read backends, models and users from this database: a SQLite path (sqlite://file.db) or postgres://… (this file then holds only `server`)",
      ),
    ),
  ),
  admin_key: v.optional(
    v.pipe(
      v.string(SECRET_TYPE_MESSAGE),
      v.minLength(ADMIN_KEY_MIN, `the admin key needs at least ${ADMIN_KEY_MIN} characters`),
      v.description("Key of the /admin API (database mode), sent as Bearer or x-api-key; default: env OCTOLLM_ADMIN_KEY"),
    ),
  ),
  config_poll_ms: v.optional(
    v.pipe(
      v.number(),
      v.integer(),
      v.minValue(50),
      v.description("Database mode: how often the config version is polled (PostgreSQL also pushes changes with LISTEN/NOTIFY)"),
    ),
    500,
  ),
  failover: v.optional(
    v.strictObject({
      max_attempts: v.optional(
        v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(10), v.description("Tries in all, on distinct backends (1: no retry)")),
        FAILOVER_DEFAULTS.maxAttempts,
      ),
      budget_ms: v.optional(
        v.pipe(v.number(), v.integer(), v.minValue(0), v.description("No new attempt starts later than this after the first")),
        FAILOVER_DEFAULTS.budgetMs,
      ),
      failure_threshold: v.optional(
        v.pipe(v.number(), v.integer(), v.minValue(1), v.description("Failures in a row that open a backend's circuit")),
        FAILOVER_DEFAULTS.failureThreshold,
      ),
      cooldown_ms: v.optional(
        v.pipe(v.number(), v.integer(), v.minValue(1), v.description("How long an open circuit rests before one probe request")),
        FAILOVER_DEFAULTS.cooldownMs,
      ),
    }),
    {},
  ),
});
