// Prompt-cache tokens made visible: the access line's cache_read and cache_write, and /metrics'
// octollm_cache_tokens_total by kind (read, write, uncached), from which the cache-hit ratio per model and backend follows.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Gateway } from "../../src/gateway";
import { createLoggedGateway } from "../helpers/gateway";
import { anthropicCachedAnswer, startMockUpstream } from "../helpers/mock-upstream";

const answer = anthropicCachedAnswer;
let turn = 0;
const upstream = startMockUpstream(() => ({ headers: { "content-type": "application/json" }, body: turn++ === 0 ? answer(0, 900) : answer(900, 0) }));
let gw: Gateway;
let url: string;
let lines: any[];
beforeAll(async () => {
  ({ gw, lines } = await createLoggedGateway(`models:\n  claude-x: { backends: { "default:1": { base_url: "${upstream.url}", api: anthropic-messages } } }\n`));
  url = gw.listen("127.0.0.1", 0).url.href.replace(/\/$/, "");
});
afterAll(async () => {
  await gw.shutdown(100);
  upstream.stop();
});

test("a session's first turn writes the cache, the second reads it: both in the access line and the metrics", async () => {
  const ask = () =>
    fetch(`${url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
      body: JSON.stringify({ model: "claude-x", max_tokens: 10, messages: [{ role: "user", content: "hi" }] }),
    }).then((r) => r.json());
  await ask();
  await ask();
  gw.accessLog.flush();
  const access = lines.filter((l) => l.msg === "access");
  expect(access.map((l) => [l.tokens_in, l.cache_read, l.cache_write])).toEqual([
    [1000, undefined, 900],
    [1000, 900, undefined],
  ]);
  const metrics = await (await fetch(`${url}/metrics`)).text();
  expect(metrics).toContain('octollm_cache_tokens_total{model="claude-x",backend="default:1",kind="read"} 900');
  expect(metrics).toContain('octollm_cache_tokens_total{model="claude-x",backend="default:1",kind="write"} 900');
  // derived when scraped: reads alone, and the hit ratio = 900 read of 2000 input tokens
  expect(metrics).toContain('octollm_cache_read_tokens_total{model="claude-x",backend="default:1"} 900');
  expect(metrics).toContain('octollm_cache_hit_ratio{model="claude-x",backend="default:1"} 0.45');
  expect(metrics).toContain('octollm_cache_tokens_total{model="claude-x",backend="default:1",kind="uncached"} 200');
});
