// Field builders the config schema files share.
import * as v from "valibot";

/** The type error of a secret field: it never echoes the value (a YAML number would otherwise be printed back). */
export const SECRET_TYPE_MESSAGE = "must be a string: quote it (the value is not shown)";

/** True for an http:// or https:// URL with a host (the only URLs an upstream, proxy or service may have). */
export function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return (u.protocol === "http:" || u.protocol === "https:") && u.hostname.length > 0;
  } catch {
    return false;
  }
}
/** An optional http(s) URL field. */
export const httpUrl = (what: string) =>
  v.optional(v.pipe(v.string(), v.check(isHttpUrl, "must be an http:// or https:// URL with a host"), v.description(what)));
/** An optional secret string field (its type error never echoes the value). */
export const secret = (what: string) => v.optional(v.pipe(v.string(SECRET_TYPE_MESSAGE), v.description(what)));

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
