// A config's routes as a person reads them: each model, who may use it, and where its requests go.
import { backendApis } from "./build-conversion";
import { pricingOf } from "./build-spend";
import { defaultPoolWeight } from "./pool-name";
import { resolveBackend } from "./resolve";
import type { Config } from "./schema";

/** One backend of a model as routing sees it. */
export interface BackendRoute {
  name: string;
  /** Its weight in the default pool (undefined: only rules send to it). */
  weight?: number;
  /** The upstream: a base URL, or "mock". */
  target: string;
  /** Protocol conversion on the way, when any. */
  convert?: string;
  /** What it charges (USD per million input / output tokens) and where that comes from; absent when unpriced. */
  price?: { input: number; output: number; cache_read: number; cache_write: number; source: string };
  /** A pattern without `model:`: each request is priced at the catalog's price of the name it asks for. */
  pricedPerName?: boolean;
}

/** One model's route. */
export interface ModelRoute {
  model: string;
  access: string;
  backends: BackendRoute[];
  /** Rules of the model and of every org, in all. */
  rules: number;
  orgs: string[];
  moderation: boolean;
  limits: boolean;
}

/** Every model's route, in config order. */
export function describeRoutes(config: Config): ModelRoute[] {
  return Object.entries(config.models).map(([model, def]) => {
    const orgs = Object.entries(config.users).filter(([, o]) => model in o.models);
    return {
      model,
      access: def.access,
      backends: Object.entries(def.backends).map(([name, own]) => {
        const b = resolveBackend(own, config.backends);
        const apis = backendApis(b);
        const convert = apis ? `speaks ${apis.join(", ")}` : undefined;
        const upstream = b.model ?? (model.includes("*") ? undefined : model);
        const p = upstream !== undefined || b.price ? pricingOf(b)?.(upstream ?? "") : undefined; // a pattern is priced per name asked
        const usd = (n: number) => Number(n.toPrecision(6));
        const price = p && {
          input: usd(p.input.base),
          output: usd(p.output.base),
          cache_read: usd(p.cacheRead.base),
          cache_write: usd(p.cacheWrite.base),
          source: p.source,
        };
        const perName = !price && upstream === undefined && (b.provider ?? "http") === "http";
        return {
          name,
          weight: defaultPoolWeight(name),
          target: b.provider === "mock" ? "mock" : (b.base_url ?? "?"),
          ...(convert ? { convert } : {}),
          ...(price ? { price } : {}),
          ...(perName ? { pricedPerName: true } : {}),
        };
      }),
      rules: def.default_rules.length + orgs.reduce((n, [, o]) => n + (o.models[model]?.rules.length ?? 0), 0),
      orgs: orgs.map(([name]) => name),
      moderation: Boolean(def.moderation && def.moderation.enabled !== false) || orgs.some(([, o]) => o.models[model]?.moderation),
      limits: Boolean(def.default_org_limits) || orgs.some(([, o]) => o.models[model]?.org_limits),
    };
  });
}

/** The routes as indented text lines. */
export function formatRoutes(routes: ModelRoute[]): string[] {
  const lines: string[] = [];
  for (const r of routes) {
    const extras = [
      r.access,
      r.rules ? `${r.rules} rule${r.rules === 1 ? "" : "s"}` : "",
      r.limits ? "limits" : "",
      r.moderation ? "moderation" : "",
      r.orgs.length ? `orgs: ${r.orgs.join(", ")}` : "",
    ].filter(Boolean);
    lines.push(`${r.model} (${extras.join("; ")})`);
    for (const b of r.backends) {
      const share = b.weight === undefined ? "rules only" : `weight ${b.weight}`;
      lines.push(`  ${b.name.padEnd(16)} ${share.padEnd(10)} → ${b.target}${b.convert ? ` (${b.convert})` : ""}`);
      lines.push(
        `  ${"".padEnd(16)} ${"".padEnd(10)}   ${b.price ? `$${b.price.input} in / $${b.price.output} out per 1M tokens (cache $${b.price.cache_read} read, $${b.price.cache_write} write; ${b.price.source})` : b.pricedPerName ? "priced per request: the catalog's price of the name asked for" : "no price: costs are not counted"}`,
      );
    }
  }
  return lines;
}
