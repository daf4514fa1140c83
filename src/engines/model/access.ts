import { GatewayError, type Caller } from "../../core";

/** Who may use a model: anyone, any valid key, or only orgs that list it. */
export type Access = "public" | "internal" | "private";

/** Model access as a check on the caller. */
export class AccessPolicy {
  constructor(
    readonly access: Access,
    private readonly orgs: ReadonlySet<string>,
  ) {}

  /** True when the caller may use the model. */
  allows(caller: Caller | undefined): boolean {
    if (this.access === "public") return true;
    if (!caller) return false;
    return this.access === "internal" || this.orgs.has(caller.org);
  }

  /** Throws the right error when the caller may not use the model: 401 without a key, 403 with one. */
  check(caller: Caller | undefined, model: string): void {
    if (this.allows(caller)) return;
    if (!caller) throw new GatewayError("authentication", `model ${model} needs a valid API key (Authorization: Bearer or x-api-key)`);
    throw new GatewayError("permission", `model ${model} is not allowed for this key`, { code: "model_not_allowed" });
  }
}
