// The services some test files need (Redis, PostgreSQL), each file naming its own in a `// needs: …` line. Outside
// CI a service that does not answer skips exactly those files, said in one line; with OCTOLLM_TEST_SERVICES=required
// (as .ci/run sets it) a missing service fails the run before any test starts.
import { Glob } from "bun";

/** A service and where the tests reach it. */
const SERVICES: Record<string, { host: string; port: number; start: string }> = {
  redis: { host: "127.0.0.1", port: Number(process.env.OCTOLLM_TEST_REDIS_PORT ?? 6379), start: "redis-server --daemonize yes --port 6379 --save ''" },
  postgres: {
    host: "127.0.0.1",
    port: Number(process.env.OCTOLLM_TEST_PG_PORT ?? 5432),
    start: "pg_ctlcluster <version> main start (trust auth, database test)",
  },
};

/** True when something accepts TCP connections at host:port within 500 ms. */
async function answers(host: string, port: number): Promise<boolean> {
  try {
    const socket = await Promise.race([
      Bun.connect({ hostname: host, port, socket: { data() {}, error() {} } }),
      Bun.sleep(500).then(() => {
        throw new Error("timeout");
      }),
    ]);
    socket.end();
    return true;
  } catch {
    return false;
  }
}

/** The test files that need each service, from their `// needs:` lines. */
async function filesNeeding(root: string): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for await (const file of new Glob("test/**/*.test.ts").scan(root)) {
    const head = (await Bun.file(`${root}/${file}`).text()).slice(0, 2000);
    const m = /^\/\/ needs: ([a-z, ]+)/m.exec(head);
    if (!m) continue;
    for (const s of m[1]!.split(",").map((x) => x.trim().split(" ")[0]!)) if (s in SERVICES) out.set(s, [...(out.get(s) ?? []), file]);
  }
  return out;
}

/**
 * The `bun test` arguments that leave out the files whose services do not answer, and the line that says so
 * (none when every service answers). Throws when a service is missing and OCTOLLM_TEST_SERVICES=required.
 */
export async function serviceArgs(root: string): Promise<{ args: string[]; note?: string }> {
  const needing = await filesNeeding(root);
  const missing: string[] = [];
  for (const name of needing.keys()) if (!(await answers(SERVICES[name]!.host, SERVICES[name]!.port))) missing.push(name);
  if (!missing.length) return { args: [] };
  const where = missing.map((s) => `${s} at ${SERVICES[s]!.host}:${SERVICES[s]!.port}`).join(" and ");
  if (process.env.OCTOLLM_TEST_SERVICES === "required") throw new Error(`test services not reachable: ${where}`);
  const skipped = [...new Set(missing.flatMap((s) => needing.get(s) ?? []))].sort();
  const note =
    `test-services: ${where} did not answer: skipped ${skipped.length} test files that need it (${skipped.join(", ")}). ` +
    `Start it (${missing.map((s) => SERVICES[s]!.start).join("; ")}) to run them, or set OCTOLLM_TEST_SERVICES=required to fail instead.`;
  return { args: skipped.map((f) => `--path-ignore-patterns=${f}`), note };
}
