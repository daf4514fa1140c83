// Hot reload while requests run: good files swap in, bad files are refused, no request fails.
import { describe, expect, test } from "bun:test";
import { mkdtempSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Logger } from "../../src/core";
import { LiveConfig, fileLoader, loadConfigFile, watchConfig } from "../../src/config";
import { AccessLog, startServer } from "../../src/server";
import { BINARY, buildBinary, startBinary } from "../helpers/binary";

const dir = mkdtempSync(join(tmpdir(), "octollm-reload-"));
const file = join(dir, "config.yaml");
const config = (models: string[], text = "v1") =>
  `models:\n${models.map((m) => `  ${m}:\n    backends:\n      "default:1": { provider: mock, mock: { text: "${text}", chunks: 4, chunk_delay_ms: 5 } }\n`).join("")}`;

describe("hot reload", () => {
  test("file changes swap the config atomically while requests run; a bad file is refused", async () => {
    const logged: string[] = [];
    const logger = new Logger((s: string) => void logged.push(String(s))); // its own logger: the process's log is not touched
    writeFileSync(file, config(["a"]));
    const first = await loadConfigFile(file);
    if (!first.ok) throw new Error("bad fixture");
    const live = new LiveConfig(fileLoader(file), first.config, 1, process.env, logger);
    const stop = watchConfig(file, (reason) => void live.reload(reason), { debounceMs: 50 });
    const server = startServer(() => live.current, { host: "127.0.0.1", port: 0, maxBodyBytes: 1 << 20, accessLog: new AccessLog({ write() {} }) });
    let running = true;
    const statuses: number[] = [];
    const texts = new Set<string>();
    const worker = async () => {
      while (running) {
        const res = await fetch(`${server.url}v1/chat/completions`, { method: "POST", body: JSON.stringify({ model: "a", stream: true, messages: [] }) });
        statuses.push(res.status);
        const body = await res.text();
        for (const m of body.matchAll(/"content":"([^"]+)"/g)) texts.add(m[1]!.trim());
      }
    };
    const workers = Array.from({ length: 8 }, worker);
    try {
      await Bun.sleep(150);
      writeFileSync(file, config(["a", "b"], "v2")); // in-place write
      for (let i = 0; i < 200 && live.version < 2; i++) await Bun.sleep(25); // a reload waits for the file to settle
      expect(live.version).toBe(2);
      writeFileSync(file, "models:\n  a:\n    backends: { nope: 1 }\n"); // broken
      for (let i = 0; i < 200 && !logged.some((l) => l.includes("config reload refused")); i++) await Bun.sleep(25);
      expect(live.version).toBe(2);
      expect(logged.some((l) => l.includes("config reload refused"))).toBe(true);
      writeFileSync(join(dir, "tmp.yaml"), config(["a", "c"], "v3"));
      renameSync(join(dir, "tmp.yaml"), file); // atomic replace, as editors and k8s do
      for (let i = 0; i < 200 && live.version < 3; i++) await Bun.sleep(25);
      expect(live.version).toBe(3);
      await Bun.sleep(100);
    } finally {
      running = false;
      await Promise.all(workers);
      stop();
      server.stop(true);
    }
    // behaviour, not speed: requests ran before, between and after the swaps (every version answered), and none failed
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(texts).toEqual(new Set(["v1", "v2", "v3"]));
    expect(live.current.models).toEqual(["a", "c"]);
  }, 20_000);

  test("the binary reloads on SIGHUP", async () => {
    await buildBinary();
    const f = join(dir, "hup.yaml");
    writeFileSync(f, config(["one"]));
    const gw = await startBinary(f, {}, ["--no-watch"]);
    try {
      const ids = async () => ((await (await fetch(`${gw.url}/v1/models`)).json()) as any).data.map((m: any) => m.id);
      expect(await ids()).toEqual(["one"]);
      writeFileSync(f, config(["one", "two"]));
      await Bun.sleep(300);
      expect(await ids()).toEqual(["one"]); // --no-watch: the change alone does nothing
      gw.proc.kill("SIGHUP");
      let now: string[] = [];
      for (let i = 0; i < 100; i++) {
        await Bun.sleep(50);
        now = await ids();
        if (now.length === 2) break;
      }
      expect(now).toEqual(["one", "two"]);
      expect(BINARY).toEndWith("/octollm");
    } finally {
      await gw.stop();
    }
  }, 30_000);
});
