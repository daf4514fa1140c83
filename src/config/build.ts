// Builds the engine tree from a validated config. Engines never build their children; this does.
import type { Engine } from "../core";
import { BalancerEngine, HttpUpstreamEngine, MockEngine, ModelRouterEngine, type BalancerTarget } from "../engines";
import { defaultPoolWeight } from "./pool-name";
import { resolveBackend } from "./resolve";
import type { BackendConfig, Config } from "./schema";

/** Defaults for upstream timeouts, in ms. */
export const TIMEOUT_DEFAULTS = { connect: 10_000, firstByte: 600_000, idle: 300_000 } as const;

/** What a config builds: the root engine and what the server needs to know. */
export interface BuiltGateway {
  root: ModelRouterEngine;
  models: string[];
}

/** Builds the engine for one backend definition. */
export function buildBackend(b: BackendConfig, env: Record<string, string | undefined> = process.env): Engine {
  if (b.provider === "mock") {
    const m = b.mock ?? {};
    return new MockEngine({ text: m.text, chunks: m.chunks, latencyMs: m.latency_ms, chunkDelayMs: m.chunk_delay_ms });
  }
  return new HttpUpstreamEngine({
    baseUrl: b.base_url!,
    paths: { "openai.chat": b.url_path_chat, "anthropic.messages": b.url_path_messages, "anthropic.count_tokens": b.url_path_count_tokens },
    apiKey: b.api_key ?? env.OCTOLLM_API_KEY,
    anthropicApiKeyAsBearer: b.anthropic_api_key_as_bearer,
    extraHeaders: b.extra_headers,
    httpProxy: b.http_proxy,
    connectTimeoutMs: b.connect_timeout_ms ?? TIMEOUT_DEFAULTS.connect,
    firstByteTimeoutMs: b.first_byte_timeout_ms ?? TIMEOUT_DEFAULTS.firstByte,
    idleTimeoutMs: b.idle_timeout_ms ?? TIMEOUT_DEFAULTS.idle,
  });
}

/** Builds the gateway's engines from a validated config. */
export function buildGateway(config: Config, env: Record<string, string | undefined> = process.env): BuiltGateway {
  const models = new Map<string, Engine>();
  for (const [name, model] of Object.entries(config.models)) {
    const pool: BalancerTarget[] = [];
    for (const [backendName, own] of Object.entries(model.backends)) {
      const weight = defaultPoolWeight(backendName);
      if (weight === undefined) continue;
      pool.push({ name: backendName, weight, engine: buildBackend(resolveBackend(own, config.backends), env) });
    }
    models.set(name, new BalancerEngine(pool));
  }
  return { root: new ModelRouterEngine(models), models: [...models.keys()] };
}
