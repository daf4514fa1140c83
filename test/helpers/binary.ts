// Builds dist/octollm once per test run and starts it as a child process.
import { $ } from "bun";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dir, "../..");
/** Path of the compiled executable. */
export const BINARY = join(root, "dist/octollm");
let built: Promise<void> | undefined;

/** Compiles the binary from the current sources (once per process). */
export function buildBinary(): Promise<void> {
  built ??= $`${process.execPath} ${join(root, "scripts/build.ts")}`.cwd(root).quiet().then(() => {});
  return built;
}

/** A running gateway process. */
export interface GatewayProcess {
  url: string;
  proc: ReturnType<typeof Bun.spawn>;
  stdout(): string;
  stop(): Promise<void>;
}

/** Starts `octollm serve -c FILE --port 0` and waits for its "listening on" line. */
export async function startBinary(configFile: string, env: Record<string, string> = {}, args: string[] = []): Promise<GatewayProcess> {
  const proc = Bun.spawn([BINARY, "serve", "-c", configFile, "--host", "127.0.0.1", "--port", "0", ...args], {
    stdout: "pipe", stderr: "pipe", env: { ...process.env, ...env },
  });
  let out = "";
  (async () => { for await (const c of proc.stdout as ReadableStream<Uint8Array>) out += new TextDecoder().decode(c); })();
  const reader = (proc.stderr as ReadableStream<Uint8Array>).getReader();
  let err = "";
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const { done, value } = await reader.read();
    if (done) break;
    err += new TextDecoder().decode(value);
    const m = err.match(/listening on (http:\/\/[^/\s]+)\//);
    if (m) {
      reader.releaseLock();
      return { url: m[1]!, proc, stdout: () => out, stop: async () => { proc.kill("SIGTERM"); await proc.exited; } };
    }
  }
  proc.kill();
  throw new Error(`gateway did not start: ${err}`);
}
