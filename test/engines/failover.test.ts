import { describe, expect, test } from "bun:test";
import { GatewayError, LazyBody, engineFn, type Engine, type LLMRequest } from "../../src/core";
import { BalancerEngine, CircuitBreaker, type Backend } from "../../src/engines";
import { llmRequest } from "../helpers/requests";

const req = (): LLMRequest => llmRequest();
const ok = (name: string, calls: string[]): Engine =>
  engineFn(async () => {
    calls.push(name);
    return { status: 200, headers: new Headers({ "x-from": name }) };
  });
const status = (name: string, code: number, calls: string[]): Engine =>
  engineFn(async () => {
    calls.push(name);
    return { status: code, headers: new Headers() };
  });
const down = (name: string, calls: string[]): Engine =>
  engineFn(async () => {
    calls.push(name);
    throw new GatewayError("upstream_unavailable", "refused");
  });

describe("failover", () => {
  test("a connection failure, a 500 and a 429 go on to the next backend", async () => {
    for (const bad of [down, (n: string, c: string[]) => status(n, 500, c), (n: string, c: string[]) => status(n, 429, c)]) {
      const calls: string[] = [];
      const b = new BalancerEngine([
        { backend: { name: "bad", engine: bad("bad", calls) }, weight: 1000 },
        { backend: { name: "good", engine: ok("good", calls) }, weight: 1 },
      ]);
      const r = req();
      const res = await b.process(r);
      expect(res.headers.get("x-from")).toBe("good");
      expect(calls).toEqual(["bad", "good"]);
      expect([r.ctx.upstream.backend, r.ctx.upstream.attempts]).toEqual(["good", 2]);
    }
  });
  test("when every backend fails: the last upstream answer passes through, or the last error", async () => {
    const calls: string[] = [];
    const b = new BalancerEngine([
      { backend: { name: "a", engine: status("a", 503, calls) }, weight: 1 },
      { backend: { name: "b", engine: status("b", 502, calls) }, weight: 1 },
    ]);
    expect([502, 503]).toContain((await b.process(req())).status);
    expect(calls.length).toBe(2);
    const e = new BalancerEngine([{ backend: { name: "a", engine: down("a", []) }, weight: 1 }]);
    await expect(e.process(req())).rejects.toThrow("refused");
  });
  test("the upstream's own status travels on the answer: a 401 mapped to a 500 by a converter is a refused key, and is logged as 401", async () => {
    const calls: string[] = [];
    const mapped = engineFn(async () => {
      calls.push("mapped");
      return { status: 500, upstreamStatus: 401, headers: new Headers(), body: LazyBody.fromValue({ error: { message: "bad key" } }) };
    });
    const b = new BalancerEngine([
      { backend: { name: "mapped", engine: mapped }, weight: 1000 },
      { backend: { name: "good", engine: ok("good", calls) }, weight: 1 },
    ]);
    const r = req();
    expect((await b.process(r)).headers.get("x-from")).toBe("good");
    expect(calls).toEqual(["mapped", "good"]);
    expect(r.ctx.upstream.errors).toEqual([{ backend: "mapped", kind: "http_401" }]);
    // a backend that is not HTTP (no upstreamStatus): its answer's status is the upstream's
    const only = new BalancerEngine([{ backend: { name: "plain", engine: status("plain", 403, []) }, weight: 1 }]);
    const r2 = req();
    await expect(only.process(r2)).rejects.toThrow("backend plain refused the gateway's upstream credentials (upstream 403)");
    expect(r2.ctx.upstream.status).toBe(403);
  });
  test("a 400 is the client's problem: no retry", async () => {
    const calls: string[] = [];
    const b = new BalancerEngine([
      { backend: { name: "a", engine: status("a", 400, calls) }, weight: 1 },
      { backend: { name: "b", engine: ok("b", calls) }, weight: 1 },
    ]);
    expect((await b.process(req())).status).toBe(400);
    expect(calls.length).toBe(1);
  });
  test("max_attempts bounds the tries; a client that left is not retried", async () => {
    const calls: string[] = [];
    const backends = ["a", "b", "c", "d"].map((n) => ({ backend: { name: n, engine: down(n, calls) }, weight: 1 }));
    await expect(new BalancerEngine(backends, { maxAttempts: 2 }).process(req())).rejects.toThrow();
    expect(calls.length).toBe(2);
    const gone = engineFn(async () => {
      throw new GatewayError("invalid_request", "client closed the request", { status: 499 });
    });
    const calls2: string[] = [];
    await expect(
      new BalancerEngine([
        { backend: { name: "x", engine: gone }, weight: 1 },
        { backend: { name: "y", engine: ok("y", calls2) }, weight: 1 },
      ]).process(req()),
    ).rejects.toThrow("client closed");
  });
});

describe("CircuitBreaker", () => {
  test("opens after the threshold, rests, lets one probe through, and closes on success", () => {
    let now = 0;
    const cb = new CircuitBreaker("t", 2, 1000, () => now);
    const orig = console.error;
    console.error = () => {};
    try {
      cb.failure();
      expect(cb.state).toBe("closed");
      cb.failure();
      expect(cb.state).toBe("open");
      expect(cb.tryAcquire()).toBe(false);
      now = 1001;
      expect(cb.state).toBe("half-open");
      expect(cb.tryAcquire()).toBe(true);
      expect(cb.tryAcquire()).toBe(false); // one probe at a time
      cb.failure(); // the probe failed: open again
      expect(cb.tryAcquire()).toBe(false);
      now = 2100;
      expect(cb.tryAcquire()).toBe(true);
      cb.success();
      expect(cb.state).toBe("closed");
      expect(cb.tryAcquire()).toBe(true);
    } finally {
      console.error = orig;
    }
  });
  test("the balancer skips a backend whose circuit is open, and uses it again after recovery", async () => {
    let now = 0;
    const orig = console.error;
    console.error = () => {};
    try {
      const calls: string[] = [];
      let healthy = false;
      const flaky: Backend = {
        name: "flaky",
        engine: engineFn(async () => {
          calls.push("flaky");
          if (!healthy) throw new GatewayError("upstream_unavailable", "x");
          return { status: 200, headers: new Headers() };
        }),
        breaker: new CircuitBreaker("flaky", 2, 1000, () => now),
      };
      const b = new BalancerEngine([
        { backend: flaky, weight: 1 },
        { backend: { name: "ok", engine: ok("ok", calls) }, weight: 1 },
      ]);
      for (let i = 0; i < 6; i++) await b.process(req());
      expect(calls.filter((c) => c === "flaky").length).toBe(2); // then its circuit opened
      healthy = true;
      now = 1500;
      calls.length = 0;
      for (let i = 0; i < 4; i++) await b.process(req());
      expect(calls.filter((c) => c === "flaky").length).toBe(2); // probed back in, then round-robin again
    } finally {
      console.error = orig;
    }
  });
});
