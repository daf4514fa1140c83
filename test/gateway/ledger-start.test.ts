// #23.12 and #23.21: the usage ledger never holds traffic up, and never hides the metrics. A ledger database that
// cannot be reached at start does not stop the gateway (rows wait and are written once it answers), and its
// message names the usage ledger, not the config database. With usage_db set, the in-flight streams gauge still
// counts a live stream (the ledger used to replace the metrics as the access log's only observer).
// needs: postgres (npm test skips this file when it is not reachable, outside CI)
import { afterAll, expect, test } from "bun:test";
import { createLoggedGateway, mockLedgerGateway } from "../helpers/gateway";
import { freshPostgres, freshSqlitePath } from "../helpers/databases";
import { startTcpProxy } from "../helpers/tcp-proxy";
import { openDatabase } from "../../src/config";
import { startMockUpstream } from "../helpers/mock-upstream";

const upstream = startMockUpstream(() => ({ delayMs: 150 }));
afterAll(() => upstream.stop());

test("a ledger database down at start: the gateway starts and serves, and the rows are written when it comes up", async () => {
  const pg = await freshPostgres();
  const proxy = startTcpProxy("127.0.0.1", 5432);
  proxy.stop(); // down before the gateway starts
  const url = pg.url.replace("127.0.0.1:5432", `127.0.0.1:${proxy.port}`);
  try {
    const { gw } = await mockLedgerGateway(url);
    for (let i = 0; i < 3; i++) {
      const r = await gw.fetch(
        new Request("http://gw/v1/chat/completions", { method: "POST", body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] }) }),
      );
      expect(r.status).toBe(200);
      await r.text();
    }
    await gw.ledger!.flush();
    expect(gw.ledger!.queued).toBe(3);
    proxy.start();
    await gw.ledger!.flush();
    expect(gw.ledger!.queued).toBe(0);
    await gw.shutdown();
    const db = await openDatabase(pg.url);
    const [row] = (await db.sql.unsafe("SELECT COUNT(*) AS n FROM usage_requests")) as any[];
    await db.close();
    expect(Number(row.n)).toBe(3);
  } finally {
    proxy.stop();
    await pg.drop();
  }
}, 30_000);

test("the ledger's connection error names the usage ledger database", async () => {
  const { openDatabase: open } = await import("../../src/config");
  const err = await open("postgres://postgres@127.0.0.1:1/none", "usage ledger database").catch((e) => e as Error);
  expect((err as Error).message).toStartWith("cannot open the usage ledger database");
});

test("with usage_db set, octollm_streams_in_flight counts a live stream", async () => {
  const { gw } = await createLoggedGateway(`
server: { usage_db: "${freshSqlitePath()}" }
models:
  m: { backends: { "default:1": { base_url: "${upstream.url}" } } }
`);
  const r = await gw.fetch(
    new Request("http://gw/v1/chat/completions", {
      method: "POST",
      body: JSON.stringify({ model: "m", stream: true, messages: [{ role: "user", content: "hi" }] }),
    }),
  );
  const reader = r.body!.getReader();
  await reader.read();
  const during = await (await gw.fetch(new Request("http://gw/metrics"))).text();
  expect(during).toMatch(/octollm_streams_in_flight 1\b/);
  while (!(await reader.read()).done);
  await Bun.sleep(10);
  expect(await (await gw.fetch(new Request("http://gw/metrics"))).text()).toMatch(/octollm_streams_in_flight 0\b/);
  await gw.shutdown();
});
