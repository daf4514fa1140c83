// What `validate` warns about in a valid config: things that work as written but surely not as meant.
import { shadowedPatterns } from "../engines/router/model-names";
import { catalogPrice } from "../engines";
import { lintExpr, type ExprScope } from "../expr";
import { isLoopback } from "../core";
import { resolveBackend } from "./resolve";
import { ANSWER_REWRITE_SCOPE, REQUEST_REWRITE_SCOPE, RULE_SCOPE } from "./checks";
import type { Config } from "./schema";

type Path = (string | number)[];
type RewriteHolder = Partial<Record<"request_rewrites" | "response_rewrites" | "stream_chunk_rewrites", { set_keys_by_expr?: Record<string, string> }>>;

/** Every expression of a config: where it is, its text, and what it may read. */
function* expressions(config: Config): Generator<[Path, string, ExprScope]> {
  const rewrites = function* (at: Path, holder: RewriteHolder): Generator<[Path, string, ExprScope]> {
    for (const key of ["request_rewrites", "response_rewrites", "stream_chunk_rewrites"] as const) {
      const scope = key === "request_rewrites" ? REQUEST_REWRITE_SCOPE : ANSWER_REWRITE_SCOPE;
      for (const [p, expr] of Object.entries(holder[key]?.set_keys_by_expr ?? {})) yield [[...at, key, "set_keys_by_expr", p], expr, scope];
    }
  };
  for (const [name, b] of Object.entries(config.backends)) yield* rewrites(["backends", name], b);
  for (const [name, model] of Object.entries(config.models)) {
    yield* rewrites(["models", name], model);
    for (const [b, def] of Object.entries(model.backends)) yield* rewrites(["models", name, "backends", b], def);
    for (const [i, rule] of model.default_rules.entries()) if (rule.match) yield [["models", name, "default_rules", i, "match"], rule.match, RULE_SCOPE];
  }
  for (const [org, def] of Object.entries(config.users)) {
    for (const [model, entry] of Object.entries(def.models)) {
      for (const [i, rule] of (entry?.rules ?? []).entries())
        if (rule.match) yield [["users", org, "models", model, "rules", i, "match"], rule.match, RULE_SCOPE];
    }
  }
}

/** Why a config-database fleet needs Redis. */
export const FLEET_WITHOUT_REDIS =
  "a config-database fleet without redis_url (or REDIS_URL) keeps its budgets and limits per instance: N instances admit up to N times each budget and limit; set server.redis_url";

/** A warning: a dotted path into the config and what is wrong there. */
export interface ConfigWarning {
  path: (string | number)[];
  message: string;
}

/** The warnings of a validated config. */
export function configWarnings(config: Config): ConfigWarning[] {
  const out: ConfigWarning[] = [];
  for (const [pattern, cover] of shadowedPatterns(Object.keys(config.models))) {
    out.push({ path: ["models", pattern], message: `this pattern can never match: the earlier pattern ${cover} covers every name it would` });
  }
  for (const [name, model] of Object.entries(config.models)) {
    if (model.list_as && !name.includes("*"))
      out.push({ path: ["models", name, "list_as"], message: "list_as only means something on a pattern (a name with *)" });
  }
  for (const [name, model] of Object.entries(config.models)) {
    const auths = new Set(Object.values(model.backends).map((own) => resolveBackend(own, config.backends).auth ?? "gateway"));
    if (auths.size > 1)
      out.push({
        path: ["models", name, "backends"],
        message:
          "mixes auth: client and gateway-key backends: a client's own key is only ever served by the auth: client ones (no failover to the operator's key), and a gateway key must come in x-octollm-key; give them separate models",
      });
    for (const [b, own] of Object.entries(model.backends)) {
      const global = own.use ? config.backends[own.use] : undefined;
      if ((own.auth ?? global?.auth) === "client" && (own.api_key ?? global?.api_key))
        out.push({ path: ["models", name, "backends", b], message: "auth: client forwards the client's own key: this backend's api_key is never sent" });
    }
  }
  const older = (at: Path, b: { convert_to_messages?: string; convert_to_chat?: string; api?: unknown }) => {
    if (b.api !== undefined) return;
    if (b.convert_to_messages)
      out.push({ path: [...at, "convert_to_messages"], message: "convert_to_messages: from_chat is the older spelling of api: openai-chat" });
    if (b.convert_to_chat)
      out.push({ path: [...at, "convert_to_chat"], message: "convert_to_chat: from_messages is the older spelling of api: anthropic-messages" });
  };
  for (const [name, b] of Object.entries(config.backends)) older(["backends", name], b);
  for (const [name, model] of Object.entries(config.models)) for (const [b, own] of Object.entries(model.backends)) older(["models", name, "backends", b], own);
  out.push(...unpricedWarnings(config), ...openPricedWarnings(config));
  if (config.server.config_db !== undefined && config.server.redis_url === undefined) out.push({ path: ["server", "config_db"], message: FLEET_WITHOUT_REDIS });
  for (const [path, source, scope] of expressions(config)) for (const message of lintExpr(source, scope).warnings) out.push({ path, message });
  return out;
}

/** When the config prices some backend, every other one that has no price (configured or in the catalog) is named. */
function unpricedWarnings(config: Config): ConfigWarning[] {
  const priced =
    Object.values(config.backends).some((b) => b.price) || Object.values(config.models).some((m) => Object.values(m.backends).some((b) => b.price));
  if (!priced) return [];
  const out: ConfigWarning[] = [];
  for (const [name, model] of Object.entries(config.models)) {
    for (const [b, own] of Object.entries(model.backends)) {
      const resolved = resolveBackend(own, config.backends);
      if (resolved.price || (resolved.provider ?? "http") !== "http") continue;
      const upstream = resolved.model ?? (name.includes("*") ? undefined : name);
      if (upstream !== undefined && !catalogPrice(upstream, resolved.base_url)) {
        out.push({
          path: ["models", name, "backends", b],
          message: `no price for ${upstream} (not in the model catalog): its requests cost nothing in reports; give it a price`,
        });
      }
    }
  }
  return out;
}

/**
 * A public model with a priced backend and no limit on anonymous callers, on a gateway that has orgs or listens
 * beyond loopback: anyone who reaches the port spends the operator's money (a one-user local proxy is not warned).
 */
function openPricedWarnings(config: Config): ConfigWarning[] {
  const out: ConfigWarning[] = [];
  if (isLoopback(config.server.host) && !Object.keys(config.users).length) return out;
  for (const [name, model] of Object.entries(config.models)) {
    if ((model.access ?? "public") !== "public" || model.default_org_limits) continue;
    const priced = Object.values(model.backends).some((own) => {
      const b = resolveBackend(own, config.backends);
      if (b.auth === "client") return false; // the client pays with its own key
      const upstream = b.model ?? (name.includes("*") ? undefined : name);
      return Boolean(b.price || (upstream !== undefined && (b.provider ?? "http") === "http" && catalogPrice(upstream, b.base_url)));
    });
    if (priced)
      out.push({
        path: ["models", name],
        message:
          "a public model with a priced backend and no limit for anonymous callers (no key at all): anyone who reaches the port spends on it; make it internal or private, or set default_org_limits",
      });
  }
  return out;
}
