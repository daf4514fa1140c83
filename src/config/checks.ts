// Checks across the config that the schema cannot express: references, pools, required fields after `use`.
import { isMalformedPoolName, defaultPoolWeight } from "./pool-name";
import { resolveBackend } from "./resolve";
import type { BackendConfig, ModelBackendConfig } from "./schema";

/** The part of valibot's rawCheck context that the checks use. */
interface RawCheckContext {
  dataset: { typed: boolean; value: unknown };
  addIssue(info: { message: string; path?: any }): void;
}
type Path = (string | number)[];

interface CheckedConfig {
  backends: Record<string, BackendConfig>;
  models: Record<string, { backends: Record<string, ModelBackendConfig> }>;
}

/** Reports an issue at a config path (so the validator can point at its line and column). */
function report(ctx: RawCheckContext, root: unknown, path: Path, message: string): void {
  let input: any = root;
  const items = path.map((key) => {
    const value = input?.[key];
    const item = { type: "object" as const, origin: "value" as const, input, key, value };
    input = value;
    return item;
  });
  ctx.addIssue({ message, path: items as any });
}

/** The valibot rawCheck that runs once the structure is valid. */
export function crossChecks(ctx: RawCheckContext): void {
  if (!ctx.dataset.typed) return;
  const config = ctx.dataset.value as CheckedConfig;
  const globals = config.backends;
  for (const [name, backend] of Object.entries(globals)) checkBackend(ctx, config, ["backends", name], backend);
  if (Object.keys(config.models).length === 0) report(ctx, config, ["models"], "at least one model is required");
  for (const [model, def] of Object.entries(config.models)) {
    const names = Object.keys(def.backends);
    if (!names.some((n) => defaultPoolWeight(n) !== undefined)) {
      report(ctx, config, ["models", model, "backends"], "needs at least one backend named default:<weight>");
    }
    for (const name of names) {
      const own = def.backends[name]!;
      const at: Path = ["models", model, "backends", name];
      if (isMalformedPoolName(name)) report(ctx, config, at, `backend name "${name}" must be default:<weight> or default:<weight>:<label>`);
      if (own.use !== undefined && !(own.use in globals)) {
        const known = Object.keys(globals);
        report(ctx, config, [...at, "use"], `unknown backend "${own.use}"${known.length ? ` (known: ${known.join(", ")})` : " (no global backends are defined)"}`);
        continue;
      }
      checkBackend(ctx, config, at, resolveBackend(own, globals), own.use !== undefined);
    }
  }
}

function checkBackend(ctx: RawCheckContext, root: unknown, at: Path, b: BackendConfig, viaUse = false): void {
  const provider = b.provider ?? "http";
  if (provider === "http" && b.base_url === undefined && at[0] === "models") {
    report(ctx, root, at, viaUse ? "base_url is missing here and in the backend it uses" : "missing required key \"base_url\" (or use: <backend>)");
  }
  if (provider === "mock" && b.base_url !== undefined) report(ctx, root, [...at, "base_url"], "a mock backend has no base_url");
  if (provider === "http" && b.mock !== undefined) report(ctx, root, [...at, "mock"], "mock settings need provider: mock");
}
