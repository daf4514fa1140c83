// What a request costs: a backend's price per million tokens (input, output, cache reads, cache writes, and
// the higher rates some models charge past an input size), applied to the usage an answer reported.
import type { TokenUsage } from "./types";

/** A rate in USD per million tokens, with higher rates from a given number of input tokens on (Anthropic's long context). */
export interface Rate {
  base: number;
  tiers?: { start: number; price: number }[];
}

/** A backend's prices, and where they came from (config, or the catalog's provider/model). */
export interface Price {
  input: Rate;
  output: Rate;
  cacheRead: Rate;
  cacheWrite: Rate;
  source: string;
}

function rate(r: Rate, inputTokens: number): number {
  let p = r.base;
  for (const t of r.tiers ?? []) if (inputTokens > t.start) p = t.price;
  return p;
}

/** The cost in USD of one answer's usage (input counts cache reads and writes; they are priced at their own rates). */
export function costUsd(price: Price, usage: TokenUsage): number {
  const read = usage.cacheRead ?? 0;
  const write = usage.cacheWrite ?? 0;
  const fresh = Math.max(usage.input - read - write, 0);
  const at = usage.input;
  const usd = fresh * rate(price.input, at) + read * rate(price.cacheRead, at) + write * rate(price.cacheWrite, at) + usage.output * rate(price.output, at);
  return usd / 1_000_000;
}

/**
 * What the prompt cache saved on one answer, in USD: its cache reads at the input price less the cache-read price, less
 * the premium its cache writes paid over the input price (negative for a turn that wrote and read nothing).
 */
export function cacheSavingsUsd(price: Price, usage: TokenUsage): number {
  const at = usage.input;
  const input = rate(price.input, at);
  const saved = (usage.cacheRead ?? 0) * (input - rate(price.cacheRead, at)) - (usage.cacheWrite ?? 0) * (rate(price.cacheWrite, at) - input);
  return saved / 1_000_000;
}
