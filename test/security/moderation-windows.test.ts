// #12.9: all of a request's text is moderated, not only its tail: a harmful instruction followed by padding is
// still seen. Windows allowed before are not sent again; a request with too much new text obeys on_error.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { AllowedTexts, inputWindows } from "../../src/engines";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { startMockModeration } from "../helpers/mock-moderation";
import { startMockUpstream } from "../helpers/mock-upstream";

describe("input windows", () => {
  test("pieces are grouped in order; a long piece is split with an overlap, so nothing is left out", () => {
    const long = Array.from({ length: 5000 }, (_, i) => String(i % 10)).join("");
    const windows = inputWindows(["a", "b", long, "c"], 1000);
    expect(windows[0]).toBe("a\nb");
    expect(windows.at(-1)).toBe("c");
    const split = windows.slice(1, -1);
    expect(split.every((w) => w.length <= 1000)).toBe(true);
    expect(split.map((w, i) => (i === 0 ? w : w.slice(200))).join("")).toBe(long); // every character, in order
  });

  test("remembered windows are evicted oldest first", () => {
    const allowed = new AllowedTexts(2);
    for (const t of ["x", "y", "z"]) allowed.add(AllowedTexts.key(t));
    expect(allowed.has(AllowedTexts.key("x"))).toBe(false);
    expect(allowed.has(AllowedTexts.key("z"))).toBe(true);
  });
});

let upstream: ReturnType<typeof startMockUpstream>;
let mod: ReturnType<typeof startMockModeration>;
let gw: TestGateway;
beforeAll(() => {
  upstream = startMockUpstream();
  mod = startMockModeration();
  gw = startGateway(`
models:
  wide:
    moderation: { provider: webhook, url: "${mod.url}/hook", input_chars: 1000, input_max_checks: 100, output: false }
    backends: { "default:1": { base_url: "${upstream.url}" } }
  open:
    moderation: { provider: webhook, url: "${mod.url}/hook", input_chars: 1000, input_max_checks: 4, output: false }
    backends: { "default:1": { base_url: "${upstream.url}" } }
  closed:
    moderation: { provider: webhook, url: "${mod.url}/hook", input_chars: 1000, input_max_checks: 4, output: false, on_error: deny }
    backends: { "default:1": { base_url: "${upstream.url}" } }
`);
});
afterAll(() => {
  gw.stop();
  upstream.stop();
  mod.stop();
});

const ask = (model: string, messages: object[]) => fetch(`${gw.url}/v1/chat/completions`, { method: "POST", body: JSON.stringify({ model, messages }) });
const padding = (n: number, tag = "") =>
  Array.from({ length: n }, (_, i) => ({ role: i % 2 ? "assistant" : "user", content: `harmless line ${tag}${i} `.repeat(40) }));

test("a flagged instruction followed by 20 000 characters of padding is still refused", async () => {
  const before = upstream.seen.length;
  const r = await ask("wide", [{ role: "user", content: "FORBIDDEN instructions" }, ...padding(30, "p")]);
  expect(r.status).toBe(400);
  expect(((await r.json()) as any).error.code).toBe("content_filter");
  expect(upstream.seen.length).toBe(before);
});

test("a growing conversation sends only its new text to the service", async () => {
  const history = padding(3, "g");
  const first = mod.calls.length;
  expect((await ask("open", history)).status).toBe(200);
  const afterFirst = mod.calls.length;
  expect(afterFirst - first).toBeGreaterThan(1);
  expect((await ask("open", [...history, { role: "user", content: "one more question" }])).status).toBe(200);
  expect(mod.calls.length - afterFirst).toBe(1);
  expect(mod.calls.at(-1)!.body.text).toContain("one more question");
});

test("more new text than input_max_checks: fail open checks the newest windows, fail closed refuses", async () => {
  const big = padding(12, "b").map((m, i) => ({ ...m, content: `${m.content} unique ${i} ${Math.random()}` }));
  const before = mod.calls.length;
  const open = await ask("open", big);
  expect(open.status).toBe(200);
  expect(mod.calls.length - before).toBe(4);
  const line = gw.logs.at(-1);
  expect(line.moderation[0]).toMatchObject({ direction: "input", decision: "error", failed_open: true, checks: 4 });
  const closed = await ask(
    "closed",
    big.map((m) => ({ ...m, content: `${m.content}!` })),
  );
  expect(closed.status).toBe(503);
});
