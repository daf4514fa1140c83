// Prompt-cache tokens made visible: the access line's cache_read and cache_write, and /metrics'
// octollm_cache_tokens_total by kind (read, write, uncached), from which the cache-hit ratio per model and backend follows.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { loadConfigText } from "../../src/config";
import { createGateway, type Gateway } from "../../src/gateway";
import { startMockUpstream } from "../helpers/mock-upstream";

const answer = (cacheRead: number, cacheWrite: number) =>
  JSON.stringify({
    id: "msg_1",
    type: "message",
    role: "assistant",
    model: "claude-x",
    content: [{ type: "text", text: "ok" }],
    stop_reason: "end_turn",
    usage: { input_tokens: 100, cache_read_input_tokens: cacheRead, cache_creation_input_tokens: cacheWrite, output_tokens: 5 },
  });
let turn = 0;
const upstream = startMockUpstream(() => ({ headers: { "content-type": "application/json" }, body: turn++ === 0 ? answer(0, 900) : answer(900, 0) }));
const lines: any[] = [];
let gw: Gateway;
let url: string;
beforeAll(async () => {
  const loaded = loadConfigText(`models:\n  claude-x: { backends: { "default:1": { base_url: "${upstream.url}", api: anthropic-messages } } }\n`, {});
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  gw = await createGateway({
    source: { config: loaded.config },
    env: {},
    accessLog: {
      sink: {
        write: (t: string) =>
          lines.push(
            ...t
              .split("\n")
              .filter(Boolean)
              .map((l) => JSON.parse(l)),
          ),
      },
    },
  });
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
  expect(metrics).toContain('octollm_cache_tokens_total{model="claude-x",backend="default:1",kind="uncached"} 200');
});
