// The logger is passed in (#13.4): a gateway's engines write to the logger it was created with, not to the
// process's global log, so two gateways in one process (or a test) keep their lines apart.
import { afterAll, expect, test } from "bun:test";
import { loadConfigText } from "../../src/config";
import { Logger, log } from "../../src/core";
import { createGateway } from "../../src/gateway";

const redirecting = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch: () => new Response(null, { status: 302, headers: { location: "http://elsewhere.example/" } }),
});
afterAll(() => redirecting.stop(true));

test("engine lines go to the gateway's logger, none to the process log", async () => {
  const loaded = loadConfigText(`
models:
  m:
    backends: { "default:1": { base_url: "http://127.0.0.1:${redirecting.port}", api_key: sk-secret-upstream-key } }
`);
  if (!loaded.ok) throw new Error("bad config");
  const mine: string[] = [];
  const logger = new Logger((line) => mine.push(line));
  logger.format = "json";
  const global: string[] = [];
  const saved = log.sink;
  log.sink = (line) => global.push(line);
  try {
    const gw = await createGateway({ source: { config: loaded.config }, env: {}, logger, accessLog: { sink: { write: () => {} } } });
    const r = await gw.fetch(
      new Request("http://gw/v1/chat/completions", { method: "POST", body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] }) }),
    );
    expect(r.status).toBe(502);
    await gw.shutdown(0);
  } finally {
    log.sink = saved;
  }
  expect(mine.some((l) => JSON.parse(l).msg.includes("redirect"))).toBe(true);
  expect(global).toEqual([]);
  expect(mine.join("")).not.toContain("sk-secret-upstream-key"); // the gateway gave its logger the config's secrets
});
