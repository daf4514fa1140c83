// `server.otel`: where traces go and what they hold, and the same read from the standard OTEL_* variables
// (the config wins over the environment).
import * as v from "valibot";

/** The `server.otel` section. */
export const OtelSchema = v.strictObject({
  endpoint: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^https?:\/\//, "must be an http:// or https:// URL"),
      v.description(
        "OTLP/HTTP traces endpoint (…/v1/traces; a base URL gets /v1/traces added). Default: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, OTEL_EXPORTER_OTLP_ENDPOINT",
      ),
    ),
  ),
  headers: v.optional(
    v.pipe(v.record(v.string(), v.string()), v.description("Headers sent with every export (e.g. an API key as ${VAR}); default OTEL_EXPORTER_OTLP_HEADERS")),
  ),
  sample_ratio: v.optional(
    v.pipe(
      v.number(),
      v.minValue(0),
      v.maxValue(1),
      v.description("Share of new traces recorded (a client's sampled parent is always followed); default OTEL_TRACES_SAMPLER(_ARG), else 1"),
    ),
  ),
  capture_content: v.optional(
    v.pipe(v.boolean(), v.description("Record the request's messages, system instructions and tool definitions on the span (default false)")),
  ),
  max_attribute_length: v.optional(
    v.pipe(v.number(), v.integer(), v.minValue(16), v.maxValue(1_048_576), v.description("Longest string attribute, in characters (default 4096)")),
  ),
  service_name: v.optional(v.pipe(v.string(), v.minLength(1), v.description("service.name of the spans (default OTEL_SERVICE_NAME, else octollm)"))),
  enabled: v.optional(v.pipe(v.boolean(), v.description("Turn tracing off while keeping the section (default true when an endpoint is known)"))),
});

/** `server.otel` as the config holds it. */
export type OtelConfig = v.InferOutput<typeof OtelSchema>;

/** What the tracer runs with, once the config and the environment are read. */
export interface OtelSettings {
  endpoint: string;
  headers: Record<string, string>;
  /** Share of root traces sampled; `parentBased`: a client's parent decides when it sent one. */
  ratio: number;
  parentBased: boolean;
  captureContent: boolean;
  maxAttributeLength: number;
  serviceName: string;
}

type Env = Record<string, string | undefined>;

/** Headers in OTEL_EXPORTER_OTLP_HEADERS form: `k1=v1,k2=v2`, values percent-decoded. */
export function parseHeaderList(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (text ?? "").split(",")) {
    const at = pair.indexOf("=");
    if (at <= 0) continue;
    try {
      out[decodeURIComponent(pair.slice(0, at).trim())] = decodeURIComponent(pair.slice(at + 1).trim());
    } catch {
      /* a malformed escape: the pair is skipped */
    }
  }
  return out;
}

/** The sampler the OTEL_TRACES_SAMPLER variables name: a ratio, and whether a parent decides. */
function envSampler(env: Env): { ratio: number; parentBased: boolean } {
  const name = (env.OTEL_TRACES_SAMPLER ?? "parentbased_always_on").trim().toLowerCase();
  const arg = Number(env.OTEL_TRACES_SAMPLER_ARG);
  const given = Number.isFinite(arg) && arg >= 0 && arg <= 1 ? arg : 1;
  const ratio = name.endsWith("always_off") ? 0 : name.endsWith("traceidratio") ? given : 1;
  return { ratio, parentBased: name.startsWith("parentbased_") };
}

/** The traces endpoint: a URL that names its path is used as it is; a base gets /v1/traces. */
function tracesUrl(base: string, exact: boolean): string {
  if (exact) return base;
  return `${base.replace(/\/+$/, "")}/v1/traces`;
}

/** The tracer's settings, or undefined when tracing is off (no endpoint, `enabled: false`, or OTEL_SDK_DISABLED). */
export function otelSettings(cfg: OtelConfig | undefined, env: Env = process.env): OtelSettings | undefined {
  if (cfg?.enabled === false || (cfg?.enabled === undefined && env.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true")) return undefined;
  const fromConfig = cfg?.endpoint;
  const endpoint = fromConfig
    ? tracesUrl(fromConfig, /\/v1\/traces\/?$/.test(fromConfig))
    : env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
      ? tracesUrl(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, true)
      : env.OTEL_EXPORTER_OTLP_ENDPOINT
        ? tracesUrl(env.OTEL_EXPORTER_OTLP_ENDPOINT, false)
        : undefined;
  if (!endpoint || !/^https?:\/\//.test(endpoint)) return undefined;
  const sampler = envSampler(env);
  return {
    endpoint,
    headers: cfg?.headers ?? { ...parseHeaderList(env.OTEL_EXPORTER_OTLP_HEADERS), ...parseHeaderList(env.OTEL_EXPORTER_OTLP_TRACES_HEADERS) },
    ratio: cfg?.sample_ratio ?? sampler.ratio,
    parentBased: cfg?.sample_ratio !== undefined ? true : sampler.parentBased,
    captureContent: cfg?.capture_content ?? false,
    maxAttributeLength: cfg?.max_attribute_length ?? 4096,
    serviceName: cfg?.service_name ?? (env.OTEL_SERVICE_NAME?.trim() || "octollm"),
  };
}
