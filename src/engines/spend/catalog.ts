// Model prices from a maintained catalog (npm @pydantic/genai-prices, installed with the gateway: nothing is
// downloaded at run time), looked up once per upstream model name and kept; a backend's `price` wins over it.
import type { ModelPrice, TieredPrices, calcPrice as CalcPrice } from "@pydantic/genai-prices";
import type { Price, Rate } from "../../core";

/** A backend's configured price, USD per million tokens. */
export interface PriceConfig {
  input: number;
  output: number;
  cache_read?: number;
  cache_write?: number;
}

/** A configured price in the cost function's terms (cache reads at the input rate, writes at 1.25×, when not given). */
export function configuredPrice(p: PriceConfig): Price {
  return {
    input: { base: p.input },
    output: { base: p.output },
    cacheRead: { base: p.cache_read ?? p.input },
    cacheWrite: { base: p.cache_write ?? p.input * 1.25 },
    source: "config",
  };
}

function rateOf(v: number | TieredPrices | undefined, fallback: Rate): Rate {
  if (typeof v === "number") return { base: v };
  if (v && typeof v === "object" && typeof v.base === "number")
    return { base: v.base, tiers: (v.tiers ?? []).map((t) => ({ start: t.start, price: t.price })) };
  return fallback;
}

const PROBE = { input_tokens: 1000, output_tokens: 1000 };

let calcPrice: typeof CalcPrice | undefined;
/** The catalog, loaded on the first lookup (about 20 ms): configs that never need it never pay for it. */
function catalog(): typeof CalcPrice {
  calcPrice ??= (require("@pydantic/genai-prices") as { calcPrice: typeof CalcPrice }).calcPrice;
  return calcPrice;
}

/** The catalog's price of an upstream model (the backend's base URL helps pick the provider), or undefined. */
export function catalogPrice(model: string, baseUrl?: string): Price | undefined {
  let found: ReturnType<typeof CalcPrice> = null;
  try {
    const lookup = catalog();
    found = (baseUrl ? lookup(PROBE, model, { providerApiUrl: baseUrl }) : null) ?? lookup(PROBE, model);
  } catch {
    return undefined; // a model the catalog cannot price
  }
  if (!found) return undefined;
  const p: ModelPrice = found.model_price;
  const input = rateOf(p.input_mtok, { base: 0 });
  return {
    input,
    output: rateOf(p.output_mtok, { base: 0 }),
    cacheRead: rateOf(p.cache_read_mtok, input),
    cacheWrite: rateOf(p.cache_write_mtok, input),
    source: `catalog ${found.provider.id}/${found.model.id}`,
  };
}

/** Prices of one backend by upstream model name: its configured price, else the catalog's (remembered, bounded). */
export function backendPricing(config: PriceConfig | undefined, baseUrl: string | undefined): (model: string) => Price | undefined {
  if (config) {
    const fixed = configuredPrice(config);
    return () => fixed;
  }
  const known = new Map<string, Price | undefined>();
  return (model) => {
    if (known.has(model)) return known.get(model);
    const price = catalogPrice(model, baseUrl);
    if (known.size < 1000) known.set(model, price); // client-chosen names (patterns) must not grow it without bound
    return price;
  };
}
