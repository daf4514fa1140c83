// Memory after many requests, and start-up time of the binary to its first answered request.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startServerProc } from "./procs";

/** Sends `count` requests at concurrency `conc`, alternating the given bodies. */
async function drive(url: string, bodies: string[], count: number, conc: number): Promise<number> {
  let next = 0,
    failed = 0;
  const worker = async () => {
    while (next < count) {
      const body = bodies[next++ % bodies.length]!;
      const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
      if (res.status !== 200) failed++;
      await res.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: conc }, worker));
  return failed;
}

/** RSS of a fresh gateway after 10k and after 100k requests (half streaming, half not). */
export async function measureRss(binary: string, config: string, bodies: Record<string, object>) {
  const gw = await startServerProc([binary, "serve", "-c", config, "--port", "0"], "stderr");
  const texts = [JSON.stringify(bodies.small), JSON.stringify(bodies.stream)];
  const url = `${gw.url}/v1/chat/completions?chunks=20`;
  let failed = await drive(url, texts, 10_000, 32);
  await Bun.sleep(500);
  const after10k = gw.rssMiB();
  failed += await drive(url, texts, 90_000, 32);
  await Bun.sleep(500);
  const after100k = gw.rssMiB();
  await gw.stop();
  return { after10k, after100k, failed };
}

/** Starts the binary on the mock config `runs` times; time from spawn to the first 200 answer. */
export async function measureStartup(binary: string, dir: string, runs = 10) {
  const config = join(dir, "startup.yaml");
  writeFileSync(config, "server: { access_log: false }\nmodels:\n  m:\n    backends:\n      default:1: { provider: mock }\n");
  const body = JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] });
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const probe = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() }); // a free port
    const port = probe.port!;
    probe.stop(true);
    await Bun.sleep(20);
    const t0 = performance.now();
    const proc = Bun.spawn([binary, "serve", "-c", config, "--port", String(port)], { stdout: "ignore", stderr: "ignore" });
    for (;;) {
      try {
        const r = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, { method: "POST", body });
        if (r.status === 200) {
          await r.arrayBuffer();
          break;
        }
      } catch {}
      if (performance.now() - t0 > 5000) throw new Error("binary did not answer within 5 s");
      await Bun.sleep(1);
    }
    times.push(performance.now() - t0);
    proc.kill();
    await proc.exited;
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)]!, min: times[0]!, max: times[times.length - 1]!, runs };
}
