// Builds the engine tree from a validated config. Engines never build their children; this does.
import { log, type Caller, type Engine, type LLMRequest, type Logger, type ModelListing } from "../core";
import {
  AccessPolicy,
  ApiKeys,
  AuthEngine,
  BalancerEngine,
  CircuitBreaker,
  type BreakerState,
  httpUpstream,
  mockEngine,
  ModelEngine,
  ModelRouterEngine,
  isPattern,
  sessionKeyOf,
  parseSessionSource,
  UpstreamModelEngine,
  withRewrites,
  Rule,
  type Backend,
  type FailoverOptions,
  type RuleConfig,
} from "../engines";
import { Budgets, Limiter, type ResponseOwners, type LimitStore, type ModelLimits, type ModerationPolicy } from "../engines";
import { effectiveModeration, moderationPolicy } from "../engines";
import { defaultPoolWeight } from "./pool-name";
import { conversionEngine } from "./build-conversion";
import { limitStoreFor, responseOwnersFor, soleResponsesModel, storesResponses } from "./build-stores";
import { allBudgetScopes, everyBudgetScope, hasBudgets, modelBudgets, pricingOf } from "./build-spend";
import { resolveBackend } from "./resolve";
import type { BackendConfig, Config, ModelConfig } from "./schema";

export { TIMEOUT_DEFAULTS } from "../engines";

/** One budget's period: its amount, what it has spent and left, and when it starts over (null: never). */
export interface BudgetLine {
  scope: string;
  period: string;
  usd: number;
  spent: number;
  remaining: number;
  resets_at: string | null;
}

/** What a config builds: the root engine, and the model list a caller may see. */
export interface BuiltGateway {
  root: Engine;
  /** The limit counters (kept across reloads), when the config has limits. */
  store?: LimitStore;
  /** Names of all models, in config order. */
  models: string[];
  /** The models the caller of these request headers may use. */
  listModels(headers: Headers): ModelListing[];
  /** Where passed-through Responses answers came from (kept across reloads). */
  responses: ResponseOwners;
  /** The caller a request's headers name (undefined: anonymous). */
  identify(headers: Headers): Caller | undefined;
  /** Every budget of a caller (its org's, its org's per model, its key's): spent and left. */
  budgetStatus(caller: Caller | undefined): Promise<BudgetLine[]>;
  /** Every budget of every org (and of each file-mode key): spent and left, for the dashboard. */
  everyBudgetStatus(): Promise<(BudgetLine & { org: string })[]>;
  /** Every model's backends and the state of each one's circuit breaker. */
  backendStates(): { model: string; backend: string; state: BreakerState; rest_left_ms: number }[];
  /** The model a Responses item request (GET /v1/responses/{id}, …) goes to: remembered, named in x-octollm-model, or the only one that can. */
  responseModel(id: string, headers: Headers): Promise<string | undefined>;
}

/**
 * The key a backend sends: its own `api_key`; one that is written but resolves empty (`${KEY:-}`) means no
 * key at all (never another vendor's); only a backend that does not mention `api_key` uses OCTOLLM_API_KEY.
 */
export function upstreamKeys(b: BackendConfig, env: Record<string, string | undefined>): string[] {
  if (b.api_key === undefined) return env.OCTOLLM_API_KEY ? [env.OCTOLLM_API_KEY] : [];
  return (Array.isArray(b.api_key) ? b.api_key : [b.api_key]).filter((k) => k.length > 0); // ${KEY:-} entries resolved empty are left out
}

/** Which HTTP backends (model/backend) send no key because theirs resolved empty, and which send OCTOLLM_API_KEY. */
export function upstreamKeyUse(config: Config, env: Record<string, string | undefined>): { empty: string[]; fallback: string[] } {
  const empty: string[] = [],
    fallback: string[] = [];
  for (const [model, def] of Object.entries(config.models)) {
    for (const [name, own] of Object.entries(def.backends)) {
      const b = resolveBackend(own, config.backends);
      if ((b.provider ?? "http") !== "http" || b.auth === "client") continue; // auth: client sends the client's own key
      if (b.api_key !== undefined && !upstreamKeys(b, env).length) empty.push(`${model}/${name}`);
      else if (b.api_key === undefined && env.OCTOLLM_API_KEY) fallback.push(`${model}/${name}`);
    }
  }
  return { empty, fallback };
}

/** Builds the upstream engine for one backend definition (without rewrites); `maxResponseBytes` bounds whole answers. */
export function buildBackend(b: BackendConfig, env: Record<string, string | undefined> = process.env, maxResponseBytes?: number, logger: Logger = log): Engine {
  if (b.provider === "mock") return mockEngine(b.mock);
  return httpUpstream(b, upstreamKeys(b, env), maxResponseBytes, logger);
}

/** A backend's full engine: rewrites around the upstream (so they see the upstream's shapes), conversion around that. */
function backendEngine(
  b: BackendConfig,
  model: ModelConfig,
  env: Record<string, string | undefined>,
  maxResponseBytes: number,
  logger: Logger,
  stored: ResponseOwners,
): Engine {
  let engine = withRewrites(buildBackend(b, env, maxResponseBytes, logger), model, b, logger);
  if (b.model) engine = new UpstreamModelEngine(engine, b.model); // outside the rewrites: they see, and may change, the upstream name
  return conversionEngine(b, engine, stored);
}

function compileRules(
  rules: RuleConfig[],
  backends: Map<string, Backend>,
  failover: FailoverOptions,
  scope: string,
  logger: Logger,
  affinity?: Affinity,
): Rule[] {
  return rules.map((cfg, i) => {
    const rule = new Rule(cfg, logger);
    rule.limitKey = `rule:${scope}:${i}:${cfg.name}`;
    if (cfg.forward_weights) {
      const targets = Object.entries(cfg.forward_weights).map(([name, weight]) => ({ backend: backends.get(name)!, weight }));
      rule.target = new BalancerEngine(targets, failover, affinity);
    }
    return rule;
  });
}

/** Every budget of the config with what it has spent (none without budgets). */
async function everyBudgetStatus(config: Config, budgets: Budgets | undefined) {
  if (!budgets) return [];
  const all = everyBudgetScope(config);
  const orgOf = new Map(all.map((s) => [s.scope.label, s.org])); // a scope may have a day and a month: one row each
  return (await budgets.status(all.map((s) => s.scope))).map((s) => ({ org: orgOf.get(s.scope) ?? "", ...s }));
}

/** True when any limit is configured anywhere. */
export function hasLimits(config: Config): boolean {
  const rulesHave = (rules: RuleConfig[]) => rules.some((r) => r.rule_limits && Object.keys(r.rule_limits).some((k) => k !== "deny_when_exceeding"));
  return (
    Object.values(config.models).some((m) => m.default_org_limits || rulesHave(m.default_rules)) ||
    Object.values(config.users).some((o) => o.key_limits || Object.values(o.models).some((e) => e?.org_limits || rulesHave(e?.rules ?? [])))
  );
}

function modelLimits(config: Config, model: string, limiter: Limiter): ModelLimits {
  const def = config.models[model]!;
  return {
    limiter,
    orgLimits: (org) => (org ? config.users[org]?.models[model]?.org_limits : undefined) ?? def.default_org_limits,
    keyLimits: (caller) => (caller ? config.users[caller.org]?.key_limits : undefined),
    maxOutputReservation: config.server.max_output_reservation,
  };
}

/** The moderation policy of each org on a model (built once), when the model or an org moderates it. */
function moderationFor(config: Config, model: string): ((org: string | undefined) => ModerationPolicy | undefined) | undefined {
  const own = config.models[model]!.moderation;
  const byOrg = new Map<string, ModerationPolicy | undefined>();
  for (const [org, def] of Object.entries(config.users)) {
    const entry = def.models[model]?.moderation;
    if (entry) {
      const m = effectiveModeration(own, entry);
      byOrg.set(org, m && moderationPolicy(m));
    }
  }
  const base = effectiveModeration(own);
  const fallback = base && moderationPolicy(base);
  if (!fallback && ![...byOrg.values()].some(Boolean)) return undefined;
  return (org) => (org !== undefined && byOrg.has(org) ? byOrg.get(org) : fallback);
}

/** How a model finds a request's session, when it keeps sessions on one backend. */
type Affinity = (req: LLMRequest) => string | undefined;

/** The /v1/models entries of the usable model keys: exact names, and the `list_as` names of patterns (each once). */
function modelListing(config: Config, keys: string[]): ModelListing[] {
  const out: ModelListing[] = [];
  const seen = new Set<string>();
  const add = (id: string, displayName: string) => {
    if (seen.has(id)) return;
    seen.add(id);
    out.push({ id, displayName });
  };
  for (const key of keys) if (!isPattern(key)) add(key, config.models[key]!.display_name ?? key);
  for (const key of keys) if (isPattern(key)) for (const name of config.models[key]!.list_as ?? []) add(name, name);
  return out;
}

/** Builds the gateway's engines from a validated config; `store` carries limit counters over from an earlier build. */
export function buildGateway(
  config: Config,
  env: Record<string, string | undefined> = process.env,
  store?: LimitStore,
  logger: Logger = log,
  responses: ResponseOwners = responseOwnersFor(config, env, logger),
): BuiltGateway {
  if (hasLimits(config) || hasBudgets(config)) store ??= limitStoreFor(config, env);
  const failClosed = config.server.limits_on_store_error === "closed";
  const limiter = store && hasLimits(config) ? new Limiter(store, { failClosed, logger }) : undefined;
  const budgets = store && hasBudgets(config) ? new Budgets(store, { failClosed, logger }) : undefined;
  const f = config.server.failover;
  const failover: FailoverOptions = { maxAttempts: f.max_attempts, budgetMs: f.budget_ms };
  const models = new Map<string, ModelEngine>();
  const breakers: { model: string; backend: string; breaker: CircuitBreaker }[] = [];
  let clientKeys = false; // some model has auth: client backends: a key the gateway does not know may be a client's own
  for (const [name, model] of Object.entries(config.models)) {
    const sources = model.affinity_keys?.map((k) => parseSessionSource(k)!); // validated by the schema
    const affinity = model.affinity === "session" ? (req: LLMRequest) => sessionKeyOf(req, sources) : undefined;
    const backends = new Map<string, Backend>();
    for (const [backendName, own] of Object.entries(model.backends)) {
      const resolved = resolveBackend(own, config.backends);
      const breaker = new CircuitBreaker(`${name}/${backendName}`, f.failure_threshold, f.cooldown_ms, undefined, logger);
      breakers.push({ model: name, backend: backendName, breaker });
      backends.set(backendName, {
        name: backendName,
        engine: backendEngine(resolved, model, env, config.server.max_response_bytes, logger, responses),
        breaker,
        clientAuth: resolved.auth === "client",
        price: pricingOf(resolved),
      });
    }
    const pool = [...backends.values()]
      .map((backend) => ({ backend, weight: defaultPoolWeight(backend.name) }))
      .filter((t): t is { backend: Backend; weight: number } => t.weight !== undefined);
    const orgRules = new Map<string, Rule[]>();
    const orgs = new Set<string>();
    for (const [org, def] of Object.entries(config.users)) {
      if (!(name in def.models)) continue;
      orgs.add(org);
      const rules = def.models[name]?.rules ?? [];
      if (rules.length) orgRules.set(org, compileRules(rules, backends, failover, `${name}:${org}`, logger, affinity));
    }
    const modelClientAuth = [...backends.values()].some((b) => b.clientAuth);
    clientKeys ||= modelClientAuth;
    models.set(
      name,
      new ModelEngine({
        name,
        access: new AccessPolicy(model.access, orgs),
        orgRules,
        defaultRules: compileRules(model.default_rules, backends, failover, `${name}:*`, logger, affinity),
        pool: new BalancerEngine(pool, failover, affinity),
        limits: limiter && modelLimits(config, name, limiter),
        moderation: moderationFor(config, name),
        budgets: budgets && modelBudgets(config, name, budgets, backends, (b, asked) => resolveBackend(model.backends[b]!, config.backends).model ?? asked),
        maxOutputReservation: config.server.max_output_reservation,
        clientAuth: modelClientAuth,
        responses: storesResponses(config, model) ? responses : undefined,
      }),
    );
  }
  const keys = new ApiKeys(Object.fromEntries(Object.entries(config.users).map(([org, def]) => [org, def.api_keys])));
  const usable = (caller: Caller | undefined) => [...models].filter(([, m]) => m.access.allows(caller)).map(([n]) => n);
  return {
    root: new AuthEngine(new ModelRouterEngine(models, usable), keys, clientKeys),
    store,
    models: [...models.keys()],
    listModels: (headers) => modelListing(config, usable(keys.identify(headers))),
    responses,
    responseModel: async (id, headers) => (await responses.get(id))?.model || headers.get("x-octollm-model")?.slice(0, 256) || soleResponsesModel(config),
    identify: (headers) => keys.identify(headers),
    budgetStatus: (caller) => (budgets ? budgets.status(allBudgetScopes(config, caller)) : Promise.resolve([])),
    everyBudgetStatus: () => everyBudgetStatus(config, budgets),
    backendStates: () => breakers.map((b) => ({ model: b.model, backend: b.backend, state: b.breaker.state, rest_left_ms: b.breaker.restLeftMs })),
  };
}
