// Soak and reload under hostile traffic, for the benchmark: the gateway's RSS and open files before and after
// a bounded mix of good and bad requests (duplicate keys, bad token fields, malformed JSON, clients that hang
// up mid-stream), and while its config file is rewritten in place every 150 ms. Every loop is bounded.
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startServerProc, type ServerProc } from "./procs";

/** Open file descriptors of a process (sockets included). */
function openFiles(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

const good = (model: string, stream: boolean) => JSON.stringify({ model, stream, max_tokens: 64, messages: [{ role: "user", content: "hello" }] });
/** Bodies an attacker or a broken client sends; each must get a 4xx and leave nothing behind. */
const HOSTILE = [
  `{"model":"m","messages":[],"model":"m"}`,
  `{"model":"m","max_tokens":-1e400,"messages":[]}`,
  `{"model":"m","max_tokens":1000.5,"messages":[]}`,
  `{"model":"m","messages":[`,
  `{"model":"m","messages":[null],"tools":[null]}`,
  `[1,2,3]`,
];

/** Drives `count` requests at concurrency `conc`: 3 good (one a stream the client drops halfway) for each hostile one. */
async function drive(url: string, model: string, count: number, conc: number): Promise<{ ok: number; refused: number; other: number }> {
  const tally = { ok: 0, refused: 0, other: 0 };
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const kind = i % 4;
      if (kind === 3) {
        const r = await fetch(url, { method: "POST", body: HOSTILE[i % HOSTILE.length] });
        await r.arrayBuffer();
        if (r.status >= 400 && r.status < 500) tally.refused++;
        else tally.other++;
        continue;
      }
      const ctrl = new AbortController();
      const r = await fetch(url, { method: "POST", body: good(model, kind === 2), signal: ctrl.signal });
      if (kind === 2) {
        const reader = r.body!.getReader();
        await reader.read();
        ctrl.abort(); // a client that hangs up mid-stream
        await reader.closed.catch(() => {});
      } else await r.arrayBuffer();
      if (r.status === 200) tally.ok++;
      else tally.other++;
    }
  };
  await Promise.all(Array.from({ length: conc }, worker));
  return tally;
}

const snapshot = (gw: ServerProc) => ({ rssMiB: Math.round(gw.rssMiB() * 10) / 10, openFiles: openFiles(gw.proc.pid!) });

/** RSS and open files of a fresh gateway before and after `count` mixed requests. */
export async function soakHostile(binary: string, upstreamUrl: string, dir: string, count = 40_000) {
  const config = join(dir, "soak.yaml");
  writeFileSync(
    config,
    `server: { access_log: false }\nmodels:\n  m:\n    default_org_limits: { rpm: 100000000, tpm: 1000000000, concurrency: 1000 }\n    backends:\n      default:1: { base_url: "${upstreamUrl}" }\n`,
  );
  const gw = await startServerProc([binary, "serve", "-c", config, "--port", "0"], "stderr");
  const url = `${gw.url}/v1/chat/completions?chunks=40&pace=2`;
  await drive(url, "m", 2_000, 32);
  await Bun.sleep(300);
  const before = snapshot(gw);
  const tally = await drive(url, "m", count, 32);
  await Bun.sleep(1000);
  const after = snapshot(gw);
  await gw.stop();
  return { requests: count, before, after, ...tally };
}

/** Requests answered while the config file is rewritten in place (truncate, then write) every 150 ms. */
export async function reloadUnderLoad(binary: string, dir: string, seconds = 10) {
  const config = join(dir, "reload.yaml");
  const text = (n: number) =>
    `server: { access_log: false }\nmodels:\n` +
    Array.from({ length: 40 }, (_, i) => `  m${i}:\n    backends:\n      default:1: { provider: mock, mock: { text: "v${n}" } }\n`).join("");
  writeFileSync(config, text(0));
  const gw = await startServerProc([binary, "serve", "-c", config, "--port", "0"], "stderr");
  const before = snapshot(gw);
  let writes = 0;
  const writer = setInterval(() => {
    const full = text(++writes);
    writeFileSync(config, full.slice(0, full.length / 2)); // half a file: valid YAML with fewer models
    setTimeout(() => writeFileSync(config, full), 20);
  }, 150);
  const tally = { ok: 0, notFound: 0, other: 0 };
  const until = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (performance.now() < until) {
        const r = await fetch(`${gw.url}/v1/chat/completions`, { method: "POST", body: good("m39", false) });
        await r.arrayBuffer();
        if (r.status === 200) tally.ok++;
        else if (r.status === 404) tally.notFound++;
        else tally.other++;
      }
    }),
  );
  clearInterval(writer);
  await Bun.sleep(500);
  const after = snapshot(gw);
  await gw.stop();
  return { seconds, rewrites: writes, before, after, ...tally };
}
