// Drives a URL with wrk (Debian's package) and parses its report.
import { $ } from "bun";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** One load run's numbers. */
export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  errors: number;
  /** CPU time (user + system) the measured server process spent per request, in µs (NaN when no pid). */
  cpuUs: number;
}

const TICK_US = 1e6 / 100; // Linux USER_HZ

/** CPU ticks (user + system) used so far by a process. */
function cpuTicks(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

function ms(value: string, unit: string): number {
  const n = Number(value);
  return unit === "us" ? n / 1000 : unit === "s" ? n * 1000 : unit === "m" ? n * 60_000 : n;
}

/** Runs wrk with a POST body from `bodyFile` at `connections` for `seconds`. */
export async function runWrk(
  url: string,
  bodyFile: string,
  connections: number,
  seconds: number,
  dir: string,
  pid?: number,
  headers: Record<string, string> = {},
): Promise<LoadResult> {
  const script = join(dir, "post.lua");
  const extra = Object.entries(headers)
    .map(([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}\n`)
    .join("");
  writeFileSync(
    script,
    `wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n${extra}local f = io.open("${bodyFile}", "rb")\nwrk.body = f:read("*a")\nf:close()\n`,
  );
  const t0 = cpuTicks(pid);
  const out = await $`wrk -t1 -c${connections} -d${seconds}s --latency -s ${script} ${url}`.quiet().nothrow().text();
  const ticks = cpuTicks(pid) - t0;
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0);
  const pct = (p: string) => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s|m)`, "m").exec(out);
    return m ? ms(m[1]!, m[2]!) : NaN;
  };
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errors = non2xx + (sock ? sock.slice(1).reduce((s, x) => s + Number(x), 0) : 0);
  return { rps, p50: pct("50"), p99: pct("99"), requests, errors, cpuUs: (ticks * TICK_US) / requests };
}
