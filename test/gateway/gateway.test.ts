// The gateway object (#13.4): created from a config value, a file or a database, answering fetch() without a
// port, reloading, reporting readiness and shutting down; start-up problems come back as one error.
import { describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Logger } from "../../src/core";
import { loadConfigText } from "../../src/config";
import { GatewayStartError, createGateway } from "../../src/gateway";

const MOCK = `server: { access_log: false }\nmodels:\n  m:\n    backends:\n      default:1: { provider: mock, mock: { text: "first" } }\n`;
const chat = (model: string) =>
  new Request("http://gateway.test/v1/chat/completions", { method: "POST", body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }) });
const lines: string[] = [];
const accessLog = { sink: { write: (t: string) => lines.push(...t.split("\n").filter(Boolean)) } };

describe("a gateway without a port", () => {
  test("at debug level the gateway's own log lists each stream's stages (the logger the gateway was given, as serve's)", async () => {
    const loaded = loadConfigText(MOCK);
    if (!loaded.ok) throw new Error("bad config");
    const said: string[] = [];
    const logger = new Logger((line) => void said.push(line));
    logger.format = "json";
    logger.level = "debug";
    const gw = await createGateway({ source: { config: loaded.config }, accessLog, logger });
    const body = JSON.stringify({ model: "m", max_tokens: 20, stream: true, messages: [{ role: "user", content: "hi" }] });
    await (await gw.fetch(new Request("http://gateway.test/v1/messages", { method: "POST", body }))).text();
    const line = said.map((l) => JSON.parse(l)).find((l) => l.msg === "stream pipeline");
    expect(line?.stages).toBe("source → convert chat → anthropic-messages (events) → client");
    await gw.shutdown();
  });
  test("from a config value: LLM routes, health, models, metrics and unknown routes", async () => {
    const loaded = loadConfigText(MOCK.replace("access_log: false", "access_log: true"));
    if (!loaded.ok) throw new Error("bad config");
    const gw = await createGateway({ source: { config: loaded.config }, accessLog });
    const r = await gw.fetch(chat("m"));
    expect(r.status).toBe(200);
    expect(((await r.json()) as any).choices[0].message.content).toBe("first");
    expect((await gw.fetch(new Request("http://gateway.test/healthz"))).status).toBe(200);
    expect(((await (await gw.fetch(new Request("http://gateway.test/v1/models"))).json()) as any).data.map((m: any) => m.id)).toEqual(["m"]);
    expect(await (await gw.fetch(new Request("http://gateway.test/metrics"))).text()).toContain("octollm_requests_total");
    const unknown = await gw.fetch(new Request("http://gateway.test/v1/nope", { method: "POST", body: "{}" }));
    expect(unknown.status).toBe(404);
    expect((await gw.ready()).checks).toEqual({});
    gw.accessLog.flush();
    expect(lines.some((l) => JSON.parse(l).model === "m")).toBe(true);
    expect(await gw.shutdown()).toBe(true);
    expect((await gw.ready()).checks.lifecycle).toBe("shutting down");
  });

  test("from a file: reload() applies a new file; a bad one keeps the old config", async () => {
    const dir = mkdtempSync(join(tmpdir(), "octollm-gw-"));
    const file = join(dir, "c.yaml");
    writeFileSync(file, MOCK);
    const gw = await createGateway({ source: { file, watch: false } });
    expect(gw.models).toEqual(["m"]);
    writeFileSync(file, MOCK.replace("first", "second").replace("  m:", "  n:"));
    expect(await gw.reload("test")).toBe(true);
    expect(((await (await gw.fetch(chat("n"))).json()) as any).choices[0].message.content).toBe("second");
    writeFileSync(file, "models: [broken");
    expect(await gw.reload("test")).toBe(false);
    expect((await gw.fetch(chat("n"))).status).toBe(200);
    await gw.shutdown();
  });

  test("a config that cannot start is one GatewayStartError with every problem", async () => {
    const dir = mkdtempSync(join(tmpdir(), "octollm-gw-"));
    const file = join(dir, "bad.yaml");
    writeFileSync(file, "models:\n  m:\n    backends:\n      default:1: { base_url: 'file:///etc/passwd' }\n");
    const err = await createGateway({ source: { file } }).catch((e) => e);
    expect(err).toBeInstanceOf(GatewayStartError);
    expect(err.problems.join("\n")).toContain("base_url: must be an http:// or https:// URL with a host");
    const short = await createGateway({ source: { file: join(dir, "missing.yaml") }, env: {} }).catch((e) => e);
    expect(short).toBeInstanceOf(GatewayStartError);
  });

  test("listen() serves the same routes on a port", async () => {
    const loaded = loadConfigText(MOCK);
    if (!loaded.ok) throw new Error("bad config");
    const gw = await createGateway({ source: { config: loaded.config } });
    const server = gw.listen("127.0.0.1", 0);
    const r = await fetch(`http://127.0.0.1:${server.port}/v1/chat/completions`, { method: "POST", body: JSON.stringify({ model: "m", messages: [] }) });
    expect(r.status).toBe(200);
    expect(await gw.shutdown(1000)).toBe(true);
  });
});
