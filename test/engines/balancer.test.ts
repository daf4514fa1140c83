import { describe, expect, test } from "bun:test";
import { BalancerEngine, SmoothWeightedRoundRobin } from "../../src/engines";
import { engineFn, type LLMRequest } from "../../src/core";
import { llmRequest } from "../helpers/requests";

describe("SmoothWeightedRoundRobin", () => {
  test("3:1 gives exactly 3:1 in every cycle of 4, spread out", () => {
    const rr = new SmoothWeightedRoundRobin([
      { item: "a", weight: 3 },
      { item: "b", weight: 1 },
    ]);
    const picks = Array.from({ length: 400 }, () => rr.next());
    for (let c = 0; c < 100; c++) {
      const cycle = picks.slice(c * 4, c * 4 + 4);
      expect(cycle.filter((x) => x === "a").length).toBe(3);
    }
    expect(picks.slice(0, 4)).toEqual(["a", "a", "b", "a"]);
  });
  test("zero weights are never picked; no positive weight gives undefined", () => {
    const rr = new SmoothWeightedRoundRobin([
      { item: "a", weight: 0 },
      { item: "b", weight: 2 },
    ]);
    expect(new Set(Array.from({ length: 10 }, () => rr.next()))).toEqual(new Set(["b"]));
    expect(new SmoothWeightedRoundRobin([{ item: "a", weight: 0 }]).next()).toBeUndefined();
  });
  test("fractional weights", () => {
    const rr = new SmoothWeightedRoundRobin([
      { item: "a", weight: 0.5 },
      { item: "b", weight: 1.5 },
    ]);
    const picks = Array.from({ length: 8 }, () => rr.next());
    expect(picks.filter((x) => x === "b").length).toBe(6);
  });
});

describe("BalancerEngine", () => {
  test("records the chosen backend in the context", async () => {
    const seen: string[] = [];
    const mk = (name: string) =>
      engineFn(async () => {
        seen.push(name);
        return { status: 200, headers: new Headers() };
      });
    const b = new BalancerEngine([
      { backend: { name: "x", engine: mk("x") }, weight: 1 },
      { backend: { name: "y", engine: mk("y") }, weight: 1 },
    ]);
    const req = (): LLMRequest => llmRequest();
    const r1 = req();
    await b.process(r1);
    const r2 = req();
    await b.process(r2);
    expect([r1.ctx.upstream.backend, r2.ctx.upstream.backend]).toEqual(seen);
    expect(new Set(seen)).toEqual(new Set(["x", "y"]));
  });
});
