// Child processes for the benchmark: start, wait for "listening on", read RSS, stop.
import { readFileSync } from "node:fs";

/** A started server process and its base URL. */
export interface ServerProc {
  url: string;
  proc: ReturnType<typeof Bun.spawn>;
  rssMiB(): number;
  stop(): Promise<void>;
}

/** Starts a command and waits until it prints "listening on http://host:port" on stdout or stderr. */
export async function startServerProc(cmd: string[], env: Record<string, string> = {}): Promise<ServerProc> {
  const proc = Bun.spawn(cmd, { stdout: "pipe", stderr: "pipe", env: { ...process.env, ...env } });
  let seen = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening on" from ${cmd.join(" ")}: ${seen}`)), 15_000);
    const watch = async (s: ReadableStream<Uint8Array>) => {
      for await (const chunk of s) {
        seen += new TextDecoder().decode(chunk);
        const m = seen.match(/listening on (http:\/\/[\d.:]+)/);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      }
    };
    watch(proc.stdout as ReadableStream<Uint8Array>);
    watch(proc.stderr as ReadableStream<Uint8Array>);
  });
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
