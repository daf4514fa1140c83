// A backend with several upstream keys: each session keeps one (its provider cache and rate buckets stay warm), the
// sessions spread over the keys, requests without a session take turns, and removing a key moves only its sessions.
import { afterAll, expect, test } from "bun:test";
import { startGateway } from "../helpers/gateway";
import { startMockUpstream } from "../helpers/mock-upstream";

const upstream = startMockUpstream((req) =>
  req.headers["x-echo"] ? { status: 400, body: `{"error":{"message":"bad key ${req.headers.authorization}"}}` } : {},
);
afterAll(() => upstream.stop());

const KEYS = ["sk-upstream-key-aaaa", "sk-upstream-key-bbbb", "sk-upstream-key-cccc"];
const gatewayWith = (keys: string[]) =>
  startGateway(`models:\n  m: { backends: { "default:1": { base_url: "${upstream.url}", api: openai-chat, api_key: ${JSON.stringify(keys)} } } }\n`);

async function keyOf(gw: ReturnType<typeof startGateway>, headers: Record<string, string>): Promise<string> {
  const before = upstream.seen.length;
  await fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] }),
  }).then((r) => r.text());
  return String(upstream.seen.slice(before).at(-1)!.headers.authorization).replace("Bearer ", "");
}

test("a session keeps its key; sessions spread over the keys; no session: the keys in turn", async () => {
  const gw = gatewayWith(KEYS);
  try {
    const sessions = Array.from({ length: 60 }, (_, i) => `session-${i}`);
    const first = new Map<string, string>();
    for (const s of sessions) first.set(s, await keyOf(gw, { "x-claude-code-session-id": s }));
    for (const s of sessions.slice(0, 10)) expect(await keyOf(gw, { "x-claude-code-session-id": s })).toBe(first.get(s)!);
    const counts = KEYS.map((k) => [...first.values()].filter((v) => v === k).length);
    expect(counts.every((n) => n >= 8)).toBe(true); // about a third each
    const turns = new Set<string>();
    for (let i = 0; i < 6; i++) turns.add(await keyOf(gw, {}));
    expect(turns.size).toBe(3);
  } finally {
    gw.stop();
  }
});

test("removing a key moves only the sessions that were on it", async () => {
  const all = gatewayWith(KEYS);
  const fewer = gatewayWith([KEYS[0]!, KEYS[2]!]);
  try {
    for (let i = 0; i < 40; i++) {
      const s = { "session-id": `codex-thread-${i}` };
      const before = await keyOf(all, s);
      const after = await keyOf(fewer, s);
      if (before !== KEYS[1]) expect(after).toBe(before);
    }
  } finally {
    all.stop();
    fewer.stop();
  }
});

test("every key is hidden from an upstream error that echoes it", async () => {
  const gw = gatewayWith(KEYS);
  try {
    const r = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-echo": "1" },
      body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] }),
    });
    const text = await r.text();
    expect(text).toContain("bad key Bearer ***");
    for (const k of KEYS) expect(text).not.toContain(k);
  } finally {
    gw.stop();
  }
});
