import { GatewayError, type Caller, type Engine, type LLMRequest, type LLMResponse, type ModelListing } from "../../core";
import { codecOf } from "../../protocols";
import { ModelNames, isPattern } from "./model-names";

/** A model engine that says who may use it (the ModelEngine does). */
type Guarded = Engine & { readonly access?: { allows(caller: Caller | undefined): boolean } };

/** The most names an unknown-model error lists. */
const LISTED_NAMES = 40;

/**
 * Reads the requested model (a top-level scan, no full parse) and hands the request to the engine of the config
 * key that serves it: the exact name, else the first matching pattern in config order.
 */
export class ModelRouterEngine implements Engine {
  private readonly names: ModelNames<Engine>;

  constructor(
    private readonly models: ReadonlyMap<string, Engine>,
    /** The model names (and patterns) a caller may use, for the unknown-model error. */
    private readonly namesFor?: (caller: Caller | undefined) => string[],
  ) {
    this.names = new ModelNames(models);
  }

  /** The model keys this router serves, in config order. */
  get modelNames(): string[] {
    return [...this.models.keys()];
  }

  /** The /v1/models entries of the exact names (patterns are not listed). */
  listing(): ModelListing[] {
    return this.modelNames.filter((n) => !isPattern(n)).map((id) => ({ id, displayName: id }));
  }

  async process(req: LLMRequest): Promise<LLMResponse> {
    const model = codecOf(req.format).model(req.body, req.path);
    if (model === undefined || model === null || model === "") {
      throw new GatewayError("invalid_request", "model: field required", { param: "model", code: "model_not_found" });
    }
    if (typeof model !== "string") throw new GatewayError("invalid_request", "model: expected a string", { param: "model" });
    req.ctx.route.model = model;
    const found = this.names.find(model);
    if (!found) throw this.unknown(model, req.ctx.caller);
    // an anonymous caller is told nothing more of a model it may not use than of one that does not exist
    if (!req.ctx.caller && !req.ctx.keyRejected && (found.value as Guarded).access?.allows(undefined) === false) throw this.unknown(model, undefined);
    req.ctx.route.key = found.key;
    return found.value.process(req);
  }

  private unknown(model: string, caller: Caller | undefined): GatewayError {
    const names = this.namesFor?.(caller) ?? [];
    const shown = names.slice(0, LISTED_NAMES).join(", ") + (names.length > LISTED_NAMES ? `, … (${names.length - LISTED_NAMES} more)` : "");
    const hint = names.length ? `; models you may use: ${shown}` : "";
    return new GatewayError("not_found", `model: ${model.slice(0, 200)} is not served here${hint}`, { param: "model", code: "model_not_found" });
  }
}
