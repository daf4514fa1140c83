import { describe, expect, test } from "bun:test";
import { LazyBody, looksLikeJsonObject, scanTopLevel } from "../../src/core";
import { rng } from "../helpers/random";

const enc = (s: string) => new TextEncoder().encode(s);

/** Random JSON values with tricky strings (quotes, backslashes, braces, "model" inside). */
function randomValue(r: () => number, depth: number): unknown {
  const k = Math.floor(r() * (depth > 3 ? 4 : 7));
  const strs = ["model", 'a"b', "\\", 'x\\"y', "{[", "]}", "中文", "", '"model":1', "\\\\"];
  switch (k) {
    case 0:
      return strs[Math.floor(r() * strs.length)];
    case 1:
      return Math.floor(r() * 1000) - 500;
    case 2:
      return r() < 0.5;
    case 3:
      return null;
    case 4:
      return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = 0; i < Math.floor(r() * 4); i++) o[strs[Math.floor(r() * strs.length)]!] = randomValue(r, depth + 1);
      return o;
    }
  }
}

describe("scanTopLevel", () => {
  test("finds top-level keys, not nested ones", () => {
    const body = enc(`{"messages":[{"model":"inner","content":"\\"model\\": \\"x\\""}], "model" : "outer", "stream":true}`);
    expect(scanTopLevel(body, "model")).toBe(`"outer"`);
    expect(scanTopLevel(body, "stream")).toBe("true");
    expect(scanTopLevel(body, "nope")).toBeUndefined();
    expect(scanTopLevel(enc(`{"mo\\u0064el":"esc"}`), "model")).toBe(`"esc"`);
  });

  test("reports non-objects and truncation as null", () => {
    expect(scanTopLevel(enc(`[1]`), "model")).toBeNull();
    expect(scanTopLevel(enc(`{"messages":[1,2`), "model")).toBeNull();
    expect(scanTopLevel(enc(`{"a" 1}`), "model")).toBeNull();
    expect(scanTopLevel(enc(`{}`), "model")).toBeUndefined();
  });

  test("property: agrees with JSON.parse on random documents", () => {
    const r = rng(7);
    for (let i = 0; i < 2000; i++) {
      const obj: Record<string, unknown> = {};
      for (let j = 0; j < Math.floor(r() * 5); j++) obj[["messages", "x", "model", 'y"z'][j % 4]!] = randomValue(r, 0);
      const text = JSON.stringify(obj, null, r() < 0.3 ? 2 : undefined);
      const raw = scanTopLevel(enc(text), "model");
      if ("model" in obj) expect(JSON.parse(raw as string)).toEqual(obj.model);
      else expect(raw).toBeUndefined();
    }
  });

  test("framing check", () => {
    expect(looksLikeJsonObject(enc(` {"a":1}\n`))).toBe(true);
    expect(looksLikeJsonObject(enc(`{"a":1`))).toBe(false);
    expect(looksLikeJsonObject(enc(``))).toBe(false);
  });
});

describe("LazyBody", () => {
  test("forwards the original bytes; a changed body is a new one", () => {
    const original = enc(`{ "model" : "m",  "n": 1.50 }`);
    const body = LazyBody.fromBytes(original);
    expect(body.field("model")).toBe("m");
    expect(body.bytesOut()).toBe(original);
    const changed = body.withField("n", 2);
    expect(body.bytesOut()).toBe(original); // the body it came from is not changed
    expect(new TextDecoder().decode(changed.bytesOut())).toBe(`{ "model" : "m",  "n": 2 }`);
    expect(body.json()).toEqual({ model: "m", n: 1.5 });
    const whole = body.withField("stream", true); // parsed now: the new body is built from the value
    expect(JSON.parse(new TextDecoder().decode(whole.bytesOut()))).toEqual({ model: "m", n: 1.5, stream: true });
    expect(LazyBody.fromValue({ c: 3 }).size).toBe(7);
  });

  test("malformed JSON is an invalid_request error", () => {
    const body = LazyBody.fromBytes(enc(`{"model":`));
    expect(() => body.json()).toThrow(/not valid JSON/);
    let kind = "";
    try {
      LazyBody.fromBytes(enc(`{"model":`)).field("model");
    } catch (e: any) {
      kind = e.kind;
    }
    expect(kind).toBe("invalid_request");
  });

  test("holdsItems: a top-level field is a non-empty array, read from the bytes as JSON.parse would (property)", () => {
    const next = rng(11);
    const pick = <T>(list: T[]) => list[Math.floor(next() * list.length)]!;
    const space = () => pick(["", " ", "\n", "\t ", "\r\n  "]);
    for (let i = 0; i < 500; i++) {
      const tools = pick(["[]", "[ ]", "[\n]", '[{"name":"Bash"}]', "[ 1 ]", "[[]]", '"[]"', "null", "{}", '{"a":[1]}', "[null]", "0"]);
      const other = pick(['"messages":[]', '"tools_x":[1]', '"nested":{"tools":[1]}', '"m":"tools"']);
      const parts = [`${space()}"tools"${space()}:${space()}${tools}${space()}`, `${space()}${other}${space()}`];
      if (next() < 0.5) parts.reverse();
      if (next() < 0.2) parts.shift(); // sometimes no tools at all
      const text = `{${parts.join(",")}}`;
      const parsed = JSON.parse(text).tools;
      const expected = Array.isArray(parsed) && parsed.length > 0;
      expect(LazyBody.fromBytes(enc(text)).holdsItems("tools"), text).toBe(expected);
      const afterParse = LazyBody.fromBytes(enc(text));
      afterParse.json();
      expect(afterParse.holdsItems("tools"), text).toBe(expected); // the parsed value says the same
    }
  });
});
