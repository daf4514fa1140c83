#!/usr/bin/env bun
// The cost of rule evaluation: a chain of 20 rules (19 misses of the usual kinds, then a match) over a
// typical request, and a single rule. Prints ns per rule evaluation.
import { LazyBody, newRequestContext, type LLMRequest } from "../../src/core";
import { Rule, firstMatch, ruleData } from "../../src/engines";

const body = {
  model: "bench-rules",
  max_tokens: 256,
  metadata: { tier: "gold" },
  messages: [{ role: "user", content: "Hello, how are you today? ".repeat(20) }],
};
const request = (): LLMRequest => ({
  format: "openai.chat",
  path: "/v1/chat/completions",
  headers: new Headers({ "content-type": "application/json", "x-tenant": "acme" }),
  body: LazyBody.fromBytes(new TextEncoder().encode(JSON.stringify(body))),
  signal: new AbortController().signal,
  ctx: { ...newRequestContext("r", 0), route: { model: body.model } },
});
/** Rule expressions of the kinds people write, numbered so that none of them matches the benchmark request. */
export const RULE_KINDS = [
  (i: number) => `RawReq.stream == true and RawReq.max_tokens > ${100000 + i}`,
  (i: number) => `Features.promptTextLen > ${500000 + i}`,
  (i: number) => `'x-tenant' of Headers == "tenant-${i}"`,
  (i: number) => `RawReq.metadata.tier == "tier-${i}" or Org == "org-${i}"`,
  (i: number) => `startsWith(lower(Model), "other-${i}")`,
];

if (import.meta.main) {
  const chain = Array.from({ length: 19 }, (_, i) => new Rule({ name: `r${i}`, match: RULE_KINDS[i % RULE_KINDS.length]!(i) }));
  chain.push(new Rule({ name: "gold", match: `RawReq.metadata.tier == "gold"` }));
  function bench(n: number, fn: () => void): number {
    for (let i = 0; i < 2000; i++) fn();
    const t = performance.now();
    for (let i = 0; i < n; i++) fn();
    return ((performance.now() - t) * 1e6) / n;
  }
  const N = 50_000;
  // each iteration is a new request: the body is parsed once and the features computed once, as in the gateway
  const perChain = bench(N, () => {
    firstMatch(chain, ruleData(request()));
  });
  const perRequestSetup = bench(N, () => {
    const r = request();
    r.body.json();
  });
  const one = new Rule({ name: "one", match: `RawReq.metadata.tier == "gold" and Features.promptTextLen > 10` });
  const data = ruleData(request());
  const perRule = bench(N * 10, () => {
    one.matches(data);
  });
  console.log(
    `20-rule chain per request: ${((perChain - perRequestSetup) / 1000).toFixed(2)} µs (${((perChain - perRequestSetup) / 20).toFixed(0)} ns per rule, body parse excluded)`,
  );
  console.log(`one rule on a warm request: ${perRule.toFixed(0)} ns`);
}
