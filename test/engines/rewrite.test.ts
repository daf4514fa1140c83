import { describe, expect, test } from "bun:test";
import { RewritePolicy, mergePolicies, parsePath, removePath, setPath } from "../../src/engines";

describe("paths", () => {
  test("dotted paths with array indexes; set creates containers; remove shifts arrays", () => {
    expect(parsePath("messages.0.role")).toEqual(["messages", 0, "role"]);
    expect(() => parsePath("a..b")).toThrow(/empty segment/);
    const o: any = { messages: [{ role: "system" }, { role: "user" }] };
    setPath(o, parsePath("messages.0.role"), "developer");
    setPath(o, parsePath("metadata.tags.0"), "x");
    removePath(o, parsePath("messages.1"));
    removePath(o, parsePath("nothing.here"));
    expect(o).toEqual({ messages: [{ role: "developer" }], metadata: { tags: ["x"] } });
  });
});

describe("RewritePolicy", () => {
  test("removes first, then sets, then expressions (which see the request)", () => {
    const p = new RewritePolicy({
      remove_keys: ["top_p", "model"],
      set_keys: { model: "upstream-model", "stream_options.include_usage": true },
      set_keys_by_expr: { max_tokens: "if RawReq.max_tokens > 1000 then 1000 else RawReq.max_tokens" },
    });
    const body: any = { model: "m", top_p: 0.9, max_tokens: 5000 };
    const raw = { ...body };
    p.apply(body, () => ({ RawReq: raw }));
    expect(body).toEqual({ model: "upstream-model", stream_options: { include_usage: true }, max_tokens: 1000 });
  });
  test("an expression failing at run time leaves the key alone", () => {
    const errs: string[] = [];
    const body: any = { a: 1 };
    new RewritePolicy({ set_keys_by_expr: { a: "RawReq.x > 3" } }).apply(body, () => ({ RawReq: { x: "text" } }), (path) => errs.push(path));
    expect(body).toEqual({ a: 1 });
    expect(errs).toEqual(["a"]);
  });
  test("set values are copied per request", () => {
    const p = new RewritePolicy({ set_keys: { meta: { n: 1 } } });
    const a: any = {}, b: any = {};
    p.apply(a, () => ({}));
    a.meta.n = 2;
    p.apply(b, () => ({}));
    expect(b.meta.n).toBe(1);
  });
  test("merging: the backend's keys win, removes add up", () => {
    expect(mergePolicies({ set_keys: { a: 1, b: 1 }, remove_keys: ["x"] }, { set_keys: { b: 2 }, remove_keys: ["y"] })).toEqual({
      set_keys: { a: 1, b: 2 }, set_keys_by_expr: {}, remove_keys: ["x", "y"],
    });
    expect(mergePolicies(undefined, { set_keys: { a: 1 } })).toEqual({ set_keys: { a: 1 } });
  });
});
