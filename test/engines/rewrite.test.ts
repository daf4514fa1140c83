import { describe, expect, test } from "bun:test";
import { RewritePolicy, mergePolicies, parsePath, removePath, setPath } from "../../src/engines";

describe("paths", () => {
  test("dotted paths with array indexes; set creates containers; remove shifts arrays; the input is never changed", () => {
    expect(parsePath("messages.0.role")).toEqual(["messages", 0, "role"]);
    expect(() => parsePath("a..b")).toThrow(/empty segment/);
    const o: any = { messages: [{ role: "system" }, { role: "user" }], big: { untouched: [1, 2, 3] } };
    const before = structuredClone(o);
    let x = setPath(o, parsePath("messages.0.role"), "developer");
    x = setPath(x, parsePath("metadata.tags.0"), "x");
    x = removePath(x, parsePath("messages.1"));
    x = removePath(x, parsePath("nothing.here"));
    expect(x).toEqual({ messages: [{ role: "developer" }], metadata: { tags: ["x"] }, big: { untouched: [1, 2, 3] } });
    expect(o).toEqual(before);
    expect((x as any).big).toBe(o.big); // what no path touches is shared, not copied
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
    expect(p.apply(body, () => ({ RawReq: raw }))).toEqual({ model: "upstream-model", stream_options: { include_usage: true }, max_tokens: 1000 });
    expect(body).toEqual(raw);
  });
  test("an expression failing at run time leaves the key alone", () => {
    const errs: string[] = [];
    const body: any = { a: 1 };
    expect(
      new RewritePolicy({ set_keys_by_expr: { a: "RawReq.x > 3" } }).apply(
        body,
        () => ({ RawReq: { x: "text" } }),
        (path) => errs.push(path),
      ),
    ).toEqual({ a: 1 });
    expect(errs).toEqual(["a"]);
  });
  test("set values are copied per request", () => {
    const p = new RewritePolicy({ set_keys: { meta: { n: 1 } } });
    const a: any = p.apply({}, () => ({}));
    a.meta.n = 2;
    expect((p.apply({}, () => ({})) as any).meta.n).toBe(1);
  });
  test("merging: the backend's keys win, removes add up", () => {
    expect(mergePolicies({ set_keys: { a: 1, b: 1 }, remove_keys: ["x"] }, { set_keys: { b: 2 }, remove_keys: ["y"] })).toEqual({
      set_keys: { a: 1, b: 2 },
      set_keys_by_expr: {},
      remove_keys: ["x", "y"],
    });
    expect(mergePolicies(undefined, { set_keys: { a: 1 } })).toEqual({ set_keys: { a: 1 } });
  });
});
