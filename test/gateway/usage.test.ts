// One usage count per answer (#13.3): the tokens a stream or a whole answer reports are what the limits settle,
// what the access log writes and what the metrics count, on pass-through and converted routes alike.
import { afterAll, expect, test } from "bun:test";
import { estimateInputTokensFromBytes } from "../../src/convert";
import { loadConfigText } from "../../src/config";
import { createGateway } from "../../src/gateway";
import { startMockUpstream } from "../helpers/mock-upstream";

const upstream = startMockUpstream();
afterAll(() => upstream.stop());

test("limits, access log and metrics agree on every answer's tokens", async () => {
  const loaded = loadConfigText(`
models:
  pass:
    default_org_limits: { tpm: 1000000 }
    backends: { "default:1": { base_url: "${upstream.url}" } }
  conv:
    default_org_limits: { tpm: 1000000 }
    backends: { "default:1": { base_url: "${upstream.url}", convert_to_messages: from_chat } }
`);
  if (!loaded.ok) throw new Error("bad config");
  const lines: any[] = [];
  const gw = await createGateway({
    source: { config: loaded.config },
    env: {},
    accessLog: {
      sink: {
        write: (t) =>
          lines.push(
            ...t
              .split("\n")
              .filter(Boolean)
              .map((l) => JSON.parse(l)),
          ),
      },
    },
  });
  const cases = [
    ["pass", "/v1/chat/completions", false],
    ["pass", "/v1/chat/completions", true],
    ["conv", "/v1/messages", false],
    ["conv", "/v1/messages", true],
  ] as const;
  const counted: Record<string, number> = { pass: 0, conv: 0 };
  const fetchLogged = async (path: string, body: object) => {
    const r = await gw.fetch(new Request(`http://gw${path}`, { method: "POST", body: JSON.stringify(body) }));
    expect(r.status).toBe(200);
    await r.text();
    await Bun.sleep(5); // settlement runs as the answer ends
    gw.accessLog.flush();
    const line = lines.at(-1);
    return { r, tokens: line.tokens_in + line.tokens_out };
  };
  for (const [model, path, stream] of cases) {
    const answer = await fetchLogged(path, { model, max_tokens: 50, stream, messages: [{ role: "user", content: "hi" }] });
    expect(answer.tokens).toBeGreaterThan(0);
    counted[model]! += answer.tokens;
    // a probe that asks for no output (max_tokens 0) sees what the limits settled so far, less its own input estimate
    const probeBody = { model, max_tokens: 0, messages: [] };
    const probe = await fetchLogged(path, probeBody);
    const ownInput = estimateInputTokensFromBytes(new TextEncoder().encode(JSON.stringify(probeBody)));
    expect(Number(probe.r.headers.get("x-ratelimit-remaining-tokens"))).toBe(1_000_000 - counted[model]! - ownInput);
    counted[model]! += probe.tokens;
  }
  const metrics = await (await gw.fetch(new Request("http://gw/metrics"))).text();
  for (const model of ["pass", "conv"]) {
    const sum = ["input", "output"]
      .map((d) => Number(new RegExp(`octollm_tokens_total\\{model="${model}",org="\\(anonymous\\)",direction="${d}"\\} (\\d+)`).exec(metrics)?.[1] ?? NaN))
      .reduce((a, b) => a + b, 0);
    expect(sum).toBe(counted[model]!);
  }
  await gw.shutdown();
});
