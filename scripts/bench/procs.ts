// Child processes for the benchmark: start, wait for "listening on", read RSS, stop.
import { readFileSync } from "node:fs";

/** A started server process and its base URL. */
export interface ServerProc {
  url: string;
  proc: ReturnType<typeof Bun.spawn>;
  rssMiB(): number;
  stop(): Promise<void>;
}

/**
 * Starts a command and waits until it prints "listening on http://host:port" on `from` (stdout or stderr).
 * The other stream goes to /dev/null, and reading stops once the line is seen, so the benchmark harness
 * never competes with the server it measures (the gateway's access log goes to stdout).
 */
export async function startServerProc(cmd: string[], from: "stdout" | "stderr" = "stdout", env: Record<string, string> = {}): Promise<ServerProc> {
  const proc = Bun.spawn(cmd, {
    stdout: from === "stdout" ? "pipe" : "ignore",
    stderr: from === "stderr" ? "pipe" : "ignore",
    env: { ...process.env, ...env },
  });
  const reader = (proc[from] as ReadableStream<Uint8Array>).getReader();
  let seen = "";
  const deadline = Date.now() + 15_000;
  let url: string | undefined;
  while (!url && Date.now() < deadline) {
    const { done, value } = await reader.read();
    if (done) break;
    seen += new TextDecoder().decode(value);
    url = /listening on (http:\/\/[\d.:]+)/.exec(seen)?.[1];
  }
  if (!url) {
    proc.kill();
    throw new Error(`no "listening on" from ${cmd.join(" ")}: ${seen}`);
  }
  reader.cancel().catch(() => {});
  return {
    url,
    proc,
    rssMiB: () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${proc.pid}/status`, "utf8"))![1]) / 1024,
    stop: async () => {
      proc.kill("SIGTERM");
      await proc.exited;
    },
  };
}
