// Resolves a model's backend: `use` inherits a global backend, and the model's fields override it
// one by one (extra_headers, mock and profile merge key by key).
import type { BackendConfig, ModelBackendConfig } from "./schema";

/** A model backend with its `use` applied. */
export function resolveBackend(own: ModelBackendConfig, globals: Record<string, BackendConfig>): BackendConfig {
  const { use, ...fields } = own;
  const base = use === undefined ? undefined : globals[use];
  if (!base) return fields;
  const merged: BackendConfig = { ...base };
  for (const [k, value] of Object.entries(fields)) if (value !== undefined) (merged as Record<string, unknown>)[k] = value;
  if (base.extra_headers || fields.extra_headers) merged.extra_headers = { ...base.extra_headers, ...fields.extra_headers };
  if (base.mock || fields.mock) merged.mock = { ...base.mock, ...fields.mock };
  if (base.profile || fields.profile) merged.profile = { ...base.profile, ...fields.profile };
  return merged;
}
