// A rewrite policy: remove_keys first, then set_keys, then set_keys_by_expr, on a JSON value.
import { compileExpr, type CompiledExpr } from "../../expr";
import { Owned, parsePath, removePath, setPath, type JsonPath } from "./paths";

/** A rewrite policy as written in the config. */
export interface RewritePolicyConfig {
  set_keys?: Record<string, unknown>;
  set_keys_by_expr?: Record<string, string>;
  remove_keys?: string[];
}

/** A compiled rewrite policy. */
export class RewritePolicy {
  private readonly removes: JsonPath[];
  private readonly sets: [JsonPath, unknown][];
  private readonly exprSets: [JsonPath, CompiledExpr][];

  constructor(cfg: RewritePolicyConfig) {
    this.removes = (cfg.remove_keys ?? []).map(parsePath);
    this.sets = Object.entries(cfg.set_keys ?? {}).map(([p, v]) => [parsePath(p), v]);
    this.exprSets = Object.entries(cfg.set_keys_by_expr ?? {}).map(([p, e]) => [parsePath(p), compileExpr(e)]);
  }

  /** True when the policy does nothing. */
  get isEmpty(): boolean {
    return this.removes.length + this.sets.length + this.exprSets.length === 0;
  }

  /**
   * The policy applied to `target`, which is not changed (only the containers on the policy's paths are copied).
   * Expressions see `data(current)` (RawReq, Resp, ...), where `current` has the removes and sets applied; one
   * that fails at run time leaves its key unchanged and is reported through `onError`.
   */
  apply<T>(target: T, data: (current: T) => object, onError?: (path: string, err: Error) => void): T {
    const owned = new Owned();
    let out: unknown = target;
    for (const p of this.removes) out = removePath(out, p, owned);
    for (const [p, v] of this.sets) out = setPath(out, p, typeof v === "object" && v !== null ? structuredClone(v) : v, owned);
    if (this.exprSets.length === 0) return out as T;
    const d = data(out as T);
    for (const [p, e] of this.exprSets) {
      const value = e.evaluate(d);
      if (value instanceof Error) onError?.(p.join("."), value);
      else out = setPath(out, p, value, owned);
    }
    return out as T;
  }
}

/** Merges a model-level and a backend-level policy: the backend's keys win, removes add up. */
export function mergePolicies(model?: RewritePolicyConfig, backend?: RewritePolicyConfig): RewritePolicyConfig | undefined {
  if (!model) return backend;
  if (!backend) return model;
  return {
    set_keys: { ...model.set_keys, ...backend.set_keys },
    set_keys_by_expr: { ...model.set_keys_by_expr, ...backend.set_keys_by_expr },
    remove_keys: [...new Set([...(model.remove_keys ?? []), ...(backend.remove_keys ?? [])])],
  };
}
