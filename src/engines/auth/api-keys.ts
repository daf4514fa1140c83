import type { Caller, Engine, LLMRequest, LLMResponse } from "../../core";
import { hashApiKey, isHashedKey } from "./key-hash";

/**
 * Gateway API keys: key → caller, looked up in O(1). Keys written in plaintext (a YAML file) are matched as
 * they are; keys stored hashed ("sha256:<hex>", as the database keeps them) are matched by hashing the
 * presented key once.
 */
export class ApiKeys {
  private readonly byKey = new Map<string, Caller>();
  private readonly byHash = new Map<string, Caller>();

  /** Builds from `users.<org>.api_keys` (user → key or key hash). */
  constructor(orgs: Record<string, Record<string, string>> = {}) {
    for (const [org, keys] of Object.entries(orgs)) {
      for (const [user, key] of Object.entries(keys)) (isHashedKey(key) ? this.byHash : this.byKey).set(key, { org, user });
    }
  }

  /** The caller of a request: its key from `Authorization: Bearer` or `x-api-key`; undefined when none or unknown. */
  identify(headers: Headers): Caller | undefined {
    if (this.byKey.size === 0 && this.byHash.size === 0) return undefined;
    const key = headers.get("x-api-key") ?? bearer(headers.get("authorization"));
    if (!key) return undefined;
    return this.byKey.get(key) ?? (this.byHash.size ? this.byHash.get(hashApiKey(key)) : undefined);
  }
}

function bearer(value: string | null): string | undefined {
  if (!value) return undefined;
  const m = /^Bearer\s+(.+)$/i.exec(value);
  return m ? m[1]!.trim() : undefined;
}

/** Identifies the caller by API key and records it in the context; unknown keys leave the caller anonymous. */
export class AuthEngine implements Engine {
  constructor(
    private readonly next: Engine,
    private readonly keys: ApiKeys,
  ) {}

  process(req: LLMRequest): Promise<LLMResponse> {
    req.ctx.caller = this.keys.identify(req.headers);
    return this.next.process(req);
  }
}
