import { GatewayError, type Caller, type Engine, type LLMRequest, type LLMResponse } from "../../core";
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

  /** The caller of a request: its key from `x-octollm-key`, `x-api-key` or `Authorization: Bearer`; undefined when none or unknown. */
  identify(headers: Headers): Caller | undefined {
    return this.identifyWith(headers)?.caller;
  }

  /** True when a header value (a list when the header was sent twice) holds a gateway key, known or in the gateway's format. */
  holdsGatewayKey(value: string | null): boolean {
    if (!value) return false;
    for (const part of value.split(",")) {
      const key = bearer(part.trim()) ?? part.trim();
      if (!key) continue;
      if (key.startsWith(GATEWAY_KEY_PREFIX) || this.byKey.has(key) || (this.byHash.size > 0 && this.byHash.has(hashApiKey(key)))) return true;
    }
    return false;
  }

  /** The caller, and the header its gateway key came in (so that it can be kept from every upstream). */
  identifyWith(headers: Headers): { caller: Caller; header: string } | undefined {
    const found = this.lookup(headers);
    return found && "caller" in found ? found : undefined;
  }

  /**
   * The caller and its key's header; or `rejected`, the header of a key that was presented and is not a gateway key
   * (none while the gateway has no keys at all: then every request is anonymous); or undefined when no key came.
   */
  lookup(headers: Headers): { caller: Caller; header: string } | { rejected: string } | undefined {
    if (this.byKey.size === 0 && this.byHash.size === 0) return undefined;
    let rejected: string | undefined;
    for (const header of KEY_HEADERS) {
      const raw = headers.get(header);
      const key = header === "authorization" ? bearer(raw) : raw;
      if (!key) continue;
      const caller = this.byKey.get(key) ?? (this.byHash.size ? this.byHash.get(hashApiKey(key)) : undefined);
      if (caller) return { caller, header };
      if (header === "x-octollm-key") return { rejected: header }; // a gateway key was sent on purpose, and it is wrong
      rejected ??= header;
    }
    return rejected ? { rejected } : undefined;
  }
}

/** The headers that may carry either a gateway key or a client's own provider key. */
const GATEWAY_KEY_CARRIERS = ["x-api-key", "authorization"] as const;
/** The prefix of the keys the gateway makes (`octollm keys`): one that is not (or no longer) known is still never sent upstream. */
const GATEWAY_KEY_PREFIX = "sk-octo-";

/** Where a gateway key may come: its own header first (then Authorization can carry the client's own credential). */
const KEY_HEADERS = ["x-octollm-key", "x-api-key", "authorization"] as const;

function bearer(value: string | null): string | undefined {
  if (!value) return undefined;
  const m = /^Bearer\s+(.+)$/i.exec(value);
  return m ? m[1]!.trim() : undefined;
}

/** The 401 for a key the gateway does not know, in the caller's shape (never anonymous service). */
export function invalidKey(): GatewayError {
  return new GatewayError("authentication", "invalid API key: it is not a key of this gateway (send no key for its public models)", {
    code: "invalid_api_key",
  });
}

/**
 * Identifies the caller by API key and records it in the context. A key the gateway does not know is refused
 * (401), unless some model's backends take the client's own key (`auth: client`): then it may be that, and the
 * model decides (`ctx.keyRejected`); a wrong `x-octollm-key` is refused always. No key at all: anonymous.
 */
export class AuthEngine implements Engine {
  constructor(
    private readonly next: Engine,
    private readonly keys: ApiKeys,
    /** True when some model has `auth: client` backends. */
    private readonly clientKeysPossible = false,
  ) {}

  process(req: LLMRequest): Promise<LLMResponse> {
    const looked = this.keys.lookup(req.headers);
    if (looked && "rejected" in looked) {
      if (looked.rejected === "x-octollm-key" || !this.clientKeysPossible) return Promise.reject(invalidKey());
      req.ctx.keyRejected = true;
    }
    const found = looked && "caller" in looked ? looked : undefined;
    req.ctx.caller = found?.caller;
    // every header that carries a gateway key goes, however it was sent (twice, in two headers, a revoked sk-octo- key):
    // what is left is the client's own credential, for auth: client backends only
    const carriers = GATEWAY_KEY_CARRIERS.filter((h) => h !== found?.header && this.keys.holdsGatewayKey(req.headers.get(h))); // found's goes anyway
    if (!found && !req.headers.has("x-octollm-key") && !carriers.length) return this.next.process(req);
    const headers = new Headers(req.headers);
    headers.delete("x-octollm-key");
    if (found) headers.delete(found.header);
    for (const h of carriers) headers.delete(h);
    return this.next.process({ ...req, headers });
  }
}
