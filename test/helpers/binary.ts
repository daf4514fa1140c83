// Builds the executable once per test run, into a temporary folder removed when the run ends (the tree is left
// as it was), and starts it as a child process.
import { $ } from "bun";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dir, "../..");
const dist = mkdtempSync(join(tmpdir(), "octollm-dist-"));
process.on("exit", () => rmSync(dist, { recursive: true, force: true }));
/** Path of the compiled executable. */
export const BINARY = join(dist, "octollm");
let built: Promise<void> | undefined;

/** Compiles the binary from the current sources (once per process). */
export function buildBinary(): Promise<void> {
  built ??= $`${process.execPath} ${join(root, "scripts/build.ts")} --dist ${dist}`
    .cwd(root)
    .quiet()
    .then(() => {});
  return built;
}

/** A running gateway process. */
export interface GatewayProcess {
  url: string;
  proc: ReturnType<typeof Bun.spawn>;
  stdout(): string;
  /** Everything it wrote to stderr so far (log lines). */
  stderr(): string;
  stop(): Promise<void>;
}

/** Starts `octollm serve -c FILE --port 0` and waits for its "listening on" line. */
export function startBinary(configFile: string, env: Record<string, string> = {}, args: string[] = []): Promise<GatewayProcess> {
  return startServe([BINARY, "serve", "-c", configFile, "--host", "127.0.0.1", "--port", "0", ...args], env);
}

/** Starts a serve command line and waits for its "listening on" line; stdout and stderr keep being collected. */
export async function startServe(cmd: string[], env: Record<string, string> = {}): Promise<GatewayProcess> {
  const proc = Bun.spawn(cmd, { stdout: "pipe", stderr: "pipe", env: { ...process.env, ...env } });
  let out = "";
  let err = "";
  const collect = async (stream: ReadableStream<Uint8Array>, add: (text: string) => void) => {
    const decoder = new TextDecoder();
    for await (const c of stream) add(decoder.decode(c, { stream: true }));
  };
  void collect(proc.stdout as ReadableStream<Uint8Array>, (t) => (out += t));
  void collect(proc.stderr as ReadableStream<Uint8Array>, (t) => (err += t));
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline && proc.exitCode === null) {
    const m = err.match(/listening on (http:\/\/[^/\s]+)\//);
    if (m)
      return {
        url: m[1]!,
        proc,
        stdout: () => out,
        stderr: () => err,
        stop: async () => {
          proc.kill("SIGTERM");
          await proc.exited;
        },
      };
    await Bun.sleep(10);
  }
  proc.kill();
  throw new Error(`gateway did not start: ${err}`);
}
