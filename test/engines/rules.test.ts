import { describe, expect, test } from "bun:test";
import { LazyBody, log, type LLMRequest } from "../../src/core";
import { RequestFeatures, Rule, firstMatch, fnv1a32, ruleData } from "../../src/engines";
import { llmRequest } from "../helpers/requests";

const req = (body: object, headers: Record<string, string> = {}, caller?: { org: string; user: string }): LLMRequest =>
  llmRequest({ path: "/v1/chat/completions", body, headers, caller, model: (body as any).model });

describe("features", () => {
  test("FNV-1a 32 known vectors", () => {
    expect(fnv1a32("")).toBe("811c9dc5");
    expect(fnv1a32("a")).toBe("e40c292c");
    expect(fnv1a32("foobar")).toBe("bf9cf968");
  });
  test("promptTextLen counts code points of all message text; prefix/suffix hash the first message", () => {
    const f = new RequestFeatures(
      {
        messages: [
          { role: "system", content: "  You are helpful. Answer in English please.  " },
          { role: "user", content: [{ type: "text", text: "中🙂" }] },
        ],
      },
      "m",
    );
    expect(f.promptTextLen).toBe("  You are helpful. Answer in English please.  ".length + 2);
    expect(f.prefix20).toBe(fnv1a32("m" + "You are helpful. Ans"));
    expect(f.suffix20).toBe(fnv1a32("m" + "r in English please."));
  });
});

describe("rules", () => {
  test("true/false/null, nested access, helpers, headers, caller", () => {
    const data = ruleData(req({ model: "m", stream: true, messages: [{ role: "system", content: "x" }] }, { "x-tenant": "acme" }, { org: "o1", user: "u1" }));
    const m = (expr: string) => new Rule({ name: "t", match: expr }).matches(data);
    expect(m("RawReq.stream == true")).toBe(true);
    expect(m("RawReq.stream == false")).toBe(false);
    expect(m("RawReq.missing == null")).toBe(true);
    expect(m(`RawReq.messages.0.role == "system"`)).toBe(true);
    expect(m(`len(RawReq.messages) == 1 and startsWith(Model, "m") and contains(lower("ABC"), "b")`)).toBe(true);
    expect(m(`'x-tenant' of Headers == "acme"`)).toBe(true);
    expect(m(`Org == "o1" and User == "u1"`)).toBe(true);
    expect(m("Features.promptTextLen == 1")).toBe(true);
    expect(m(`'x-missing' of Headers == null`)).toBe(true); // a missing quoted key is null, not an error
  });
  test("the first match wins; a run-time failure is no match", () => {
    const rules = [new Rule({ name: "bad", match: `RawReq.model > 3` }), new Rule({ name: "a", match: "true" }), new Rule({ name: "b", match: "true" })];
    const errors: string[] = [];
    const orig = log.sink;
    log.sink = (s: string) => errors.push(s);
    try {
      expect(firstMatch(rules, ruleData(req({ model: "m" })))!.name).toBe("a");
      firstMatch(rules, ruleData(req({ model: "m" })));
    } finally {
      log.sink = orig;
    }
    expect(errors.length).toBe(1); // logged once per rule
    expect(errors[0]).toContain('"rule":"bad"');
  });
  test("a deny carries status, type, param and code", () => {
    const e = new Rule({ name: "d", deny: { reason_text: "no streams", http_status_code: 403, code: "policy_denied" } }).denial();
    expect([e.status, e.kind, e.message, e.code]).toEqual([403, "permission", "no streams", "policy_denied"]);
    expect(new Rule({ name: "d2", deny: {} }).denial().status).toBe(400);
  });
  test("expressions that use no body never parse it", () => {
    const r = req({ model: "m" });
    const body = LazyBody.fromBytes(new TextEncoder().encode(`{"model":"m","messages":[`)); // broken after model
    const data = ruleData({ ...r, body });
    expect(new Rule({ name: "x", match: `Model == "m"` }).matches(data)).toBe(true);
  });
});
