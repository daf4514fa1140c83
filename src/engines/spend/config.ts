// The spend keys of the config: a backend's price and an org's or key's budgets; their schemas.
import * as v from "valibot";

const usdPerMillion = (what: string) => v.pipe(v.number(), v.finite(), v.minValue(0), v.maxValue(100_000), v.description(what));

/** A backend's price in USD per million tokens. */
export const PriceSchema = v.strictObject({
  input: usdPerMillion("USD per million input tokens"),
  output: usdPerMillion("USD per million output tokens"),
  cache_read: v.optional(usdPerMillion("USD per million tokens read from a prompt cache (default: the input price)")),
  cache_write: v.optional(usdPerMillion("USD per million tokens written to a prompt cache (default: 1.25 × the input price)")),
});

const usd = (what: string) => v.optional(v.pipe(v.number(), v.finite(), v.minValue(0), v.maxValue(1e9), v.description(what)));

/** A spend budget: any of the three amounts, and what happens past it. */
export const BudgetSchema = v.strictObject({
  usd_per_day: usd("USD per UTC day"),
  usd_per_month: usd("USD per UTC calendar month"),
  usd_total: usd("USD in all"),
  on_exceed: v.optional(v.pipe(v.picklist(["deny", "warn"]), v.description("deny (default): 429 budget_exceeded; warn: served, tagged and logged")), "deny"),
});
