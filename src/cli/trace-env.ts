// `--trace` for the launchers: the client's own OpenTelemetry traces, sent to the gateway's collector, with its
// traceparent sent to the gateway, so the agent's turn and the gateway's spans make one trace.
import type { Config } from "../config";
import { otelSettings } from "../otel";

/** The collector's settings, or an error naming what is missing. */
function collector(config: Config | undefined, env: Record<string, string | undefined>) {
  const s = otelSettings(config?.server.otel, env);
  if (!s) throw new Error("--trace needs a collector: server.otel.endpoint in the config, or OTEL_EXPORTER_OTLP_ENDPOINT");
  return s;
}

/**
 * Codex's `-c` override that exports its traces to the gateway's collector (OTLP/HTTP JSON, with its headers); Codex
 * 0.171 then also sends its traceparent to the gateway.
 */
export function codexTraceArgs(config: Config | undefined, env: Record<string, string | undefined> = process.env): string[] {
  const s = collector(config, env);
  const headers = Object.entries(s.headers)
    .map(([k, v]) => `${JSON.stringify(k)}=${JSON.stringify(v)}`)
    .join(",");
  return ["-c", `otel.trace_exporter={otlp-http={endpoint=${JSON.stringify(s.endpoint)},protocol="json",headers={${headers}}}}`];
}

/** Claude Code 2.1's switches for traces and traceparent propagation (all of them are needed), and the exporter's variables. */
export function claudeTraceEnv(config: Config | undefined, env: Record<string, string | undefined> = process.env): Record<string, string> {
  const s = collector(config, env);
  const headers = Object.entries(s.headers)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join(",");
  return {
    CLAUDE_CODE_ENABLE_TELEMETRY: "1",
    CLAUDE_CODE_ENHANCED_TELEMETRY_BETA: "1",
    CLAUDE_CODE_PROPAGATE_TRACEPARENT: "1",
    OTEL_TRACES_EXPORTER: "otlp",
    OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "http/json",
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: s.endpoint,
    ...(headers ? { OTEL_EXPORTER_OTLP_TRACES_HEADERS: headers } : {}),
  };
}
