// Checks across the config that the schema cannot express: references, pools, required fields after
// `use`, expressions that must compile, rewrite paths, API keys used twice.
import { compileExpr, ExprCompileError, lintExpr, type ExprScope } from "../expr";
import { FEATURE_NAMES, RULE_DATA_NAMES } from "../engines/rules";
import { parsePath } from "../engines/rewrite";
import { effectiveModeration, moderationProblems } from "../engines";
import { isMalformedPoolName, defaultPoolWeight } from "./pool-name";
import { resolveBackend } from "./resolve";
import type { BackendConfig, ModelBackendConfig, ModerationConfig } from "./schema";

/** The part of valibot's rawCheck context that the checks use. */
interface RawCheckContext {
  dataset: { typed: boolean; value: unknown };
  addIssue(info: { message: string; path?: any }): void;
}
type Path = (string | number)[];
/** Reports a problem at a path; `atKey` points at the key itself rather than its value. */
type Report = (path: Path, message: string, atKey?: boolean) => void;

interface RewriteLike {
  set_keys?: Record<string, unknown>;
  set_keys_by_expr?: Record<string, string>;
  remove_keys?: string[];
}
interface RuleLike {
  match?: string;
  forward_weights?: Record<string, number>;
}
interface CheckedConfig {
  server: { config_db?: string };
  backends: Record<string, BackendConfig>;
  models: Record<string, { backends: Record<string, ModelBackendConfig>; default_rules: RuleLike[]; moderation?: ModerationConfig } & Record<string, unknown>>;
  users: Record<string, { api_keys: Record<string, string>; models: Record<string, { rules: RuleLike[]; moderation?: ModerationConfig } | null> }>;
}

/** Marks an issue that names a key (so the validator points at the key, not its value). */
export const KEY_MARK = "key";

const REWRITE_KEYS = ["request_rewrites", "response_rewrites", "stream_chunk_rewrites"] as const;

/** The valibot rawCheck that runs once the structure is valid. */
export function crossChecks(ctx: RawCheckContext): void {
  if (!ctx.dataset.typed) return;
  const config = ctx.dataset.value as CheckedConfig;
  const report: Report = (path, message, atKey) => ctx.addIssue({ message, path: issuePath(config, path), ...(atKey ? { expected: KEY_MARK } : {}) });
  const globals = config.backends;
  for (const [name, backend] of Object.entries(globals)) {
    checkBackend(report, ["backends", name], backend);
    checkRewrites(report, ["backends", name], backend);
  }
  if (config.server.config_db !== undefined) {
    for (const key of ["backends", "models", "users"] as const) {
      if (Object.keys(config[key]).length)
        report([key], `with server.config_db, ${key} come from the database: remove them here (octollm config import moves them there)`, true);
    }
  } else if (Object.keys(config.models).length === 0) report(["models"], "at least one model is required");
  for (const [model, def] of Object.entries(config.models)) {
    const at: Path = ["models", model];
    const names = Object.keys(def.backends);
    const weights = names.map(defaultPoolWeight).filter((w) => w !== undefined);
    if (!weights.length) report([...at, "backends"], "needs at least one backend named default:<weight>");
    else if (!weights.some((w) => w > 0))
      report([...at, "backends"], "every default:<weight> backend has weight 0, so the pool could never serve: give one a weight above 0");
    checkRewrites(report, at, def as RewriteHolder);
    for (const name of names) checkModelBackend(report, [...at, "backends", name], name, def.backends[name]!, globals);
    def.default_rules.forEach((rule, i) => {
      checkRule(report, [...at, "default_rules", i], rule, names);
    });
    const moderation = effectiveModeration(def.moderation);
    for (const problem of moderation ? moderationProblems(moderation) : []) report([...at, "moderation"], problem);
  }
  const keyOwner = new Map<string, string>();
  for (const [org, def] of Object.entries(config.users)) {
    for (const [user, key] of Object.entries(def.api_keys)) {
      const owner = keyOwner.get(key);
      if (owner) report(["users", org, "api_keys", user], `this API key is already used by ${owner}`, true);
      else keyOwner.set(key, `${org}/${user}`);
    }
    for (const [model, entry] of Object.entries(def.models)) {
      const at: Path = ["users", org, "models", model];
      if (!(model in config.models)) {
        report(at, `unknown model "${model}" (known: ${Object.keys(config.models).join(", ")})`, true);
        continue;
      }
      const names = Object.keys(config.models[model]!.backends);
      (entry?.rules ?? []).forEach((rule, i) => {
        checkRule(report, [...at, "rules", i], rule, names);
      });
      if (entry?.moderation) {
        const moderation = effectiveModeration(config.models[model]!.moderation, entry.moderation);
        for (const problem of moderation ? moderationProblems(moderation) : []) report([...at, "moderation"], problem);
      }
    }
  }
}

type RewriteHolder = { [K in (typeof REWRITE_KEYS)[number]]?: RewriteLike };

function checkModelBackend(report: Report, at: Path, name: string, own: ModelBackendConfig, globals: Record<string, BackendConfig>): void {
  if (isMalformedPoolName(name)) report(at, `backend name "${name}" must be default:<weight> or default:<weight>:<label>`);
  checkRewrites(report, at, own);
  if (own.use !== undefined && !(own.use in globals)) {
    const known = Object.keys(globals);
    report([...at, "use"], `unknown backend "${own.use}"${known.length ? ` (known: ${known.join(", ")})` : " (no global backends are defined)"}`);
    return;
  }
  const b = resolveBackend(own, globals);
  if ((b.provider ?? "http") === "http" && b.base_url === undefined) {
    report(at, own.use !== undefined ? "base_url is missing here and in the backend it uses" : 'missing required key "base_url" (or use: <backend>)');
  }
  checkBackend(report, at, b);
}

function checkBackend(report: Report, at: Path, b: BackendConfig): void {
  const provider = b.provider ?? "http";
  if (provider === "mock" && b.base_url !== undefined) report([...at, "base_url"], "a mock backend has no base_url");
  if (provider === "http" && b.mock !== undefined) report([...at, "mock"], "mock settings need provider: mock");
  const ws = b.profile?.web_search;
  if (ws?.provider === "searxng" && ws.url === undefined) report([...at, "profile", "web_search"], "a searxng search service needs its url");
  if (ws && ws.provider !== "searxng" && !ws.api_key) report([...at, "profile", "web_search", "api_key"], `${ws.provider} needs an api_key`);
  const apis = b.api === undefined ? undefined : Array.isArray(b.api) ? b.api : [b.api];
  const converted = apis ? !apis.includes("anthropic-messages") : b.convert_to_messages !== undefined;
  if (ws && !converted)
    report(
      [...at, "profile", "web_search"],
      "web_search is run for Anthropic clients on an OpenAI backend: it needs api: openai-chat or openai-responses",
      true,
    );
  if (apis && b.convert_to_messages && apis[0] !== "openai-chat")
    report([...at, "api"], "conflicts with convert_to_messages (which means api: openai-chat)", true);
  if (apis && b.convert_to_chat && apis[0] !== "anthropic-messages")
    report([...at, "api"], "conflicts with convert_to_chat (which means api: anthropic-messages)", true);
  if (apis && new Set(apis).size !== apis.length) report([...at, "api"], "lists an API twice", true);
  const param = b.profile?.reasoning_param;
  if ((param === "thinking_level" || param === "thinking_budget") && !apis?.includes("google-gemini"))
    report([...at, "profile", "reasoning_param"], `${param} is how a Gemini backend thinks: it needs api: google-gemini`, true);
  if (b.convert_to_messages && b.convert_to_chat)
    report(
      [...at, "convert_to_chat"],
      "a backend speaks one protocol: use convert_to_messages (an OpenAI backend) or convert_to_chat (an Anthropic backend), not both",
      true,
    );
}

function checkRule(report: Report, at: Path, rule: RuleLike, backends: string[]): void {
  if (rule.match !== undefined) checkExpr(report, [...at, "match"], rule.match, RULE_SCOPE);
  const weights = Object.values(rule.forward_weights ?? {});
  if (weights.length && !weights.some((w) => w > 0))
    report([...at, "forward_weights"], "every weight is 0, so a matching request could never be served: give one a weight above 0");
  for (const name of Object.keys(rule.forward_weights ?? {})) {
    if (!backends.includes(name)) report([...at, "forward_weights", name], `unknown backend "${name}" of this model (known: ${backends.join(", ")})`, true);
  }
}

function checkRewrites(report: Report, at: Path, holder: RewriteHolder): void {
  for (const key of REWRITE_KEYS) {
    const policy = holder[key];
    if (!policy) continue;
    const paths = [...Object.keys(policy.set_keys ?? {}), ...Object.keys(policy.set_keys_by_expr ?? {}), ...(policy.remove_keys ?? [])];
    for (const p of paths) {
      try {
        parsePath(p);
      } catch (err) {
        report([...at, key], (err as Error).message);
      }
    }
    const scope = key === "request_rewrites" ? REQUEST_REWRITE_SCOPE : ANSWER_REWRITE_SCOPE;
    for (const [p, expr] of Object.entries(policy.set_keys_by_expr ?? {})) checkExpr(report, [...at, key, "set_keys_by_expr", p], expr, scope);
  }
}

/** What a rule's match expression may read. */
export const RULE_SCOPE: ExprScope = { roots: RULE_DATA_NAMES, fields: { Features: FEATURE_NAMES } };
/** What a request rewrite's expressions may read, and what an answer or stream-chunk rewrite's may. */
export const REQUEST_REWRITE_SCOPE: ExprScope = { roots: ["RawReq"] };
export const ANSWER_REWRITE_SCOPE: ExprScope = { roots: ["RawReq", "Resp"] };

function checkExpr(report: Report, at: Path, source: string, scope: ExprScope): void {
  try {
    compileExpr(source);
  } catch (err) {
    const col = err instanceof ExprCompileError && err.column ? ` (at column ${err.column} of the expression)` : "";
    report(at, `${(err as Error).message}${col}`);
    return;
  }
  for (const problem of lintExpr(source, scope).problems) report(at, problem);
}

/** Builds valibot path items for a config path, so the validator can point at its line and column. */
function issuePath(root: unknown, path: Path): unknown[] {
  let input: any = root;
  return path.map((key) => {
    const value = input?.[key];
    const item = { type: "object" as const, origin: "value" as const, input, key, value };
    input = value;
    return item;
  });
}
