// The secret values a config holds, so the log can hide them wherever they would appear.
import type { Config } from "./schema";

const SECRET_HEADER = /auth|key|token|secret|cookie/i;

/** Every key and token in a config (and the environment's fallback keys). */
export function configSecrets(config: Config, env: Record<string, string | undefined> = process.env): string[] {
  const out: (string | undefined)[] = [env.OCTOLLM_API_KEY, env.OCTOLLM_ADMIN_KEY, config.server.admin_key];
  const backend = (b: { api_key?: string | string[]; extra_headers?: Record<string, string> }) => {
    out.push(...(Array.isArray(b.api_key) ? b.api_key : [b.api_key]));
    for (const [name, value] of Object.entries(b.extra_headers ?? {})) if (SECRET_HEADER.test(name)) out.push(value);
  };
  Object.values(config.backends).forEach(backend);
  for (const model of Object.values(config.models)) {
    Object.values(model.backends).forEach(backend);
    out.push(model.moderation?.api_key);
  }
  for (const org of Object.values(config.users)) {
    out.push(...Object.values(org.api_keys));
    for (const entry of Object.values(org.models)) out.push(entry?.moderation?.api_key);
  }
  return out.filter((v): v is string => typeof v === "string" && v.length > 0);
}
