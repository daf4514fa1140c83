// What requests cost (#17.1-2): exact cost_usd in the access log for known token counts in every usage shape
// (cache reads and writes, converted streams, long-context rates), and the cost counter in /metrics.
import { afterAll, expect, test } from "bun:test";
import { loadConfigText } from "../../src/config";
import { catalogPrice } from "../../src/engines";
import * as F from "../fixtures/openai-streams";
import { createLoggedGateway } from "../helpers/gateway";
import { startScriptedUpstream } from "../helpers/mock-upstream";
import { anthropicMessage } from "../fixtures/anthropic";

const upstream = startScriptedUpstream();
afterAll(() => upstream.stop());

const anthropicAnswer = (usage: object) => anthropicMessage("ok", usage);

test("the catalog prices Claude, GPT and DeepSeek models; an unknown name has no price", () => {
  const sonnet = catalogPrice("claude-sonnet-4-5")!;
  expect([sonnet.input.base, sonnet.output.base, sonnet.cacheRead.base, sonnet.cacheWrite.base]).toEqual([3, 15, 0.3, 3.75]);
  expect(sonnet.source).toBe("catalog anthropic/claude-sonnet-4-5");
  expect(catalogPrice("gpt-5.5")?.source).toStartWith("catalog openai/");
  expect(catalogPrice("deepseek-chat")?.source).toBe("catalog deepseek/deepseek-chat");
  expect(catalogPrice("my-finetune-7b")).toBeUndefined();
});

test("cost_usd per request in every usage shape, and octollm_cost_usd_total", async () => {
  const { gw, lines } = await createLoggedGateway(`
backends:
  claude: { base_url: "${upstream.url}", api: anthropic-messages }
  chat: { base_url: "${upstream.url}", api: openai-chat, price: { input: 1, output: 2, cache_read: 0.5 } }
  free: { base_url: "${upstream.url}", api: openai-chat }
models:
  claude-sonnet-4-5: { backends: { "default:1": { use: claude } } }
  cheap: { backends: { "default:1": { use: chat } } }
  local-7b: { backends: { "default:1": { use: free } } }
`);
  const cost = async (path: string, body: object) => {
    const r = await gw.fetch(new Request(`http://gw${path}`, { method: "POST", body: JSON.stringify(body) }));
    await r.text();
    await Bun.sleep(5);
    gw.accessLog.flush();
    return lines.at(-1).cost_usd as number | undefined;
  };
  const claude = { model: "claude-sonnet-4-5", max_tokens: 100, messages: [{ role: "user", content: "hi" }] };
  // Anthropic usage: 800 fresh + 4000 cache reads + 200 cache writes in, 500 out at $3 / $0.30 / $3.75 / $15
  upstream.next = { body: anthropicAnswer({ input_tokens: 800, cache_read_input_tokens: 4000, cache_creation_input_tokens: 200, output_tokens: 500 }) };
  expect(await cost("/v1/messages", claude)).toBeCloseTo((800 * 3 + 4000 * 0.3 + 200 * 3.75 + 500 * 15) / 1e6, 12);
  // past 200k input tokens the long-context rates apply to the whole request ($6 / $22.50)
  upstream.next = { body: anthropicAnswer({ input_tokens: 300_000, output_tokens: 1000 }) };
  expect(await cost("/v1/messages", claude)).toBeCloseTo((300_000 * 6 + 1000 * 22.5) / 1e6, 12);
  // chat usage with cached tokens, at a configured price
  upstream.next = {
    body: JSON.stringify({
      id: "c",
      choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }],
      usage: { prompt_tokens: 1000, completion_tokens: 100, prompt_tokens_details: { cached_tokens: 200 } },
    }),
  };
  expect(await cost("/v1/chat/completions", { model: "cheap", messages: [{ role: "user", content: "hi" }] })).toBeCloseTo(
    (800 * 1 + 200 * 0.5 + 100 * 2) / 1e6,
    12,
  );
  // a converted stream: the converter's exact usage (900 in, 800 of them cached; 40 out)
  upstream.next = { chunks: F.TEXT };
  expect(await cost("/v1/messages", { model: "cheap", max_tokens: 100, stream: true, messages: [{ role: "user", content: "hi" }] })).toBeCloseTo(
    (100 * 1 + 800 * 0.5 + 40 * 2) / 1e6,
    12,
  );
  // a failed request costs nothing; an unpriced backend has no cost
  upstream.next = { status: 500, body: "boom" };
  expect(await cost("/v1/chat/completions", { model: "cheap", messages: [{ role: "user", content: "hi" }] })).toBeUndefined();
  expect(await cost("/v1/chat/completions", { model: "local-7b", messages: [{ role: "user", content: "hi" }] })).toBeUndefined();
  const metrics = await (await gw.fetch(new Request("http://gw/metrics"))).text();
  const sample = (model: string) =>
    Number(new RegExp(`octollm_cost_usd_total\\{model="${model}",backend="default:1",org="\\(anonymous\\)"\\} ([0-9.e-]+)`).exec(metrics)?.[1]);
  expect(sample("claude-sonnet-4-5")).toBeCloseTo(0.01185 + 1.8225, 9);
  expect(sample("cheap")).toBeCloseTo(0.0011 + 0.00058, 9);
  await gw.shutdown();
});

test("validate names a backend that has no price when others are priced", () => {
  const yaml = (extra: string) =>
    `backends:\n  a: { base_url: "http://127.0.0.1:1", price: { input: 1, output: 2 } }\nmodels:\n  m: { backends: { "default:1": { use: a } } }\n  my-finetune-7b: { backends: { "default:1": { base_url: "http://127.0.0.1:1"${extra} } } }\n  claude-sonnet-4-5: { backends: { "default:1": { base_url: "http://127.0.0.1:1" } } }\n`;
  const unpriced = loadConfigText(yaml(""));
  expect(unpriced.ok && (unpriced.warnings ?? []).map((w) => [w.path, w.message])).toEqual([
    [
      "models.my-finetune-7b.backends.default:1",
      "no price for my-finetune-7b (not in the model catalog): its requests cost nothing in reports; give it a price",
    ],
  ]);
  const priced = loadConfigText(yaml(", price: { input: 0.1, output: 0.1 }"));
  expect(priced.ok && (priced.warnings ?? [])).toEqual([]);
  const none = loadConfigText(`models:\n  my-finetune-7b: { backends: { "default:1": { base_url: "http://127.0.0.1:1" } } }\n`);
  expect(none.ok && (none.warnings ?? [])).toEqual([]); // no prices anywhere: no spend, no warning
  expect(loadConfigText(yaml(", price: { input: -1, output: 2 }")).ok).toBe(false);
});
