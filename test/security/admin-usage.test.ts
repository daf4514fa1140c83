// #23.6: GET /admin/usage goes through the same admin authentication as every /admin route: failed guesses are
// counted and logged, and past ten a minute the address is refused (429) whatever key comes next.
import { expect, test } from "bun:test";
import { freshSqlitePath } from "../helpers/databases";
import { createLoggedGateway } from "../helpers/gateway";

const ADMIN = "admin-key-0123456789abcdef";

test("/admin/usage: wrong keys are counted, and the eleventh attempt is refused even with the right key", async () => {
  const { gw } = await createLoggedGateway(`
server: { usage_db: "${freshSqlitePath()}", admin_key: "${ADMIN}" }
backends:
  mock: { provider: mock }
models:
  m: { backends: { "default:1": { use: mock } } }
`);
  const get = (key?: string) => gw.fetch(new Request("http://gw/admin/usage", { headers: key ? { authorization: `Bearer ${key}` } : {} }));
  expect((await get(ADMIN)).status).toBe(200);
  const statuses: number[] = [];
  for (let i = 0; i < 10; i++) statuses.push((await get(`guess-${i}`)).status);
  expect(statuses).toEqual(Array(10).fill(401));
  const locked = await get(ADMIN);
  expect(locked.status).toBe(429);
  expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(0);
  const metrics = await (await gw.fetch(new Request("http://gw/metrics"))).text();
  expect(metrics).toMatch(/octollm_admin_auth_failures_total 10\b/);
  await gw.shutdown();
});
