// A Redis of our own (started here, on a free port) stopped and restarted under traffic: the behaviour the
// config names while it is down, and recovery afterwards; and two gateway processes sharing one limit.
// needs: redis (npm test skips this file when it is not reachable, outside CI)
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildBinary, startBinary } from "../helpers/binary";
import { startGateway } from "../helpers/gateway";
import { startMockUpstream } from "../helpers/mock-upstream";
import { postJson } from "../helpers/requests";

const dir = mkdtempSync(join(tmpdir(), "octollm-redis-"));
let upstream: ReturnType<typeof startMockUpstream>;
let port = 0;
let redis: ReturnType<typeof Bun.spawn> | undefined;
const quiet = console.error;

async function startRedis(): Promise<void> {
  redis = Bun.spawn(["redis-server", "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
    stdout: "ignore",
    stderr: "ignore",
  });
  for (let i = 0; i < 100; i++) {
    try {
      const s = await Bun.connect({ hostname: "127.0.0.1", port, socket: { data() {} } });
      s.end();
      return;
    } catch {
      await Bun.sleep(20);
    }
  }
  throw new Error("redis-server did not start");
}
async function stopRedis(): Promise<void> {
  redis?.kill("SIGKILL");
  await redis?.exited;
}

beforeAll(async () => {
  console.error = () => {};
  upstream = startMockUpstream();
  const probe = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
  port = probe.port!;
  probe.stop(true);
  await Bun.sleep(20);
  await startRedis();
});
afterAll(async () => {
  console.error = quiet;
  await stopRedis();
  upstream.stop();
});

const config = (onError: string) => `
server: { redis_url: "redis://127.0.0.1:${port}", limits_on_store_error: ${onError} }
models:
  m:
    default_org_limits: { rpm: 1000 }
    backends: { "default:1": { base_url: "${upstream.url}" } }
`;
const post = (url: string) => postJson(url, "/v1/chat/completions", { model: "m", messages: [] });

describe("Redis stopped and restarted during traffic", () => {
  test("fail-open serves through the outage, fail-closed refuses with 503; both enforce limits again after it", async () => {
    const open = startGateway(config("open"));
    const closed = startGateway(config("closed"));
    try {
      expect((await post(open.url)).status).toBe(200);
      expect((await post(closed.url)).status).toBe(200);
      await stopRedis();
      expect((await post(open.url)).status).toBe(200);
      expect((await post(closed.url)).status).toBe(503);
      await startRedis();
      let statuses: number[] = [];
      for (let i = 0; i < 50; i++) {
        statuses = [(await post(open.url)).status, (await post(closed.url)).status];
        if (statuses[1] === 200) break;
        await Bun.sleep(100);
      }
      expect(statuses).toEqual([200, 200]); // reconnected on its own
      const r = await post(open.url);
      expect(r.headers.get("x-ratelimit-limit-requests")).toBe("1000"); // counted in Redis again
    } finally {
      open.stop();
      closed.stop();
    }
  }, 30_000);
});

test("two gateway processes sharing one Redis never admit more than the shared limit together", async () => {
  await buildBinary();
  const file = join(dir, "shared.yaml");
  writeFileSync(
    file,
    `
server: { redis_url: "redis://127.0.0.1:${port}", redis_key_prefix: "shared-${Date.now()}:" }
models:
  m:
    default_org_limits: { rpm: 60 }
    backends: { "default:1": { base_url: "${upstream.url}" } }
`,
  );
  const [a, b] = await Promise.all([startBinary(file), startBinary(file)]);
  try {
    const all = await Promise.all(Array.from({ length: 160 }, (_, i) => post(i % 2 ? a.url : b.url)));
    const admitted = all.filter((r) => r.status === 200).length;
    expect(admitted).toBe(60);
    expect(all.filter((r) => r.status === 429).length).toBe(100);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
}, 60_000);
