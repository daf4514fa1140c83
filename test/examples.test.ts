// The examples: every YAML config validates, and the library example serves requests.
import { describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { buildExampleGateway } from "../examples/library";
import { seedRoutes } from "../examples/seed-gateway";
import { startMockUpstream } from "./helpers/mock-upstream";
import { loadConfigFile, formatProblem } from "../src/config";
import { AccessLog, startServer } from "../src/server";

const dir = join(import.meta.dir, "../examples");

describe("examples", () => {
  test("every YAML example validates", async () => {
    const files = (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith(".yaml"));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const r = await loadConfigFile(join(dir, f), {});
      const problems = r.ok ? (r.warnings ?? []).map((w) => `warning: ${formatProblem(f, w)}`) : r.problems.map((p) => formatProblem(f, p));
      expect({ f, problems }).toEqual({ f, problems: [] });
    }
  });

  test("the library example balances 3:1 and tags requests", async () => {
    const root = buildExampleGateway({});
    const lines: any[] = [];
    const log = new AccessLog({
      write: (t) => {
        for (const l of t.split("\n")) if (l) lines.push(JSON.parse(l));
      },
    });
    const server = startServer(() => ({ root, listModels: () => root.listing() }), { host: "127.0.0.1", port: 0, maxBodyBytes: 1 << 20, accessLog: log });
    try {
      const texts: string[] = [];
      for (let i = 0; i < 8; i++) {
        const res = await fetch(`${server.url}v1/chat/completions`, {
          method: "POST",
          body: JSON.stringify({ model: "demo", messages: [{ role: "user", content: "hi" }] }),
        });
        texts.push(((await res.json()) as any).choices[0].message.content);
      }
      expect(texts.filter((t) => t.includes("mock A")).length).toBe(6);
      log.flush();
      expect(lines.every((l) => l.tags?.includes("library-example"))).toBe(true);
      expect(root.modelNames).toEqual(["demo"]);
    } finally {
      server.stop(true);
    }
  });
});

describe("the seed README's example", () => {
  test("an endpoint, a converter around it, a rewrite around that, handlers on paths of our own", async () => {
    const upstream = startMockUpstream();
    const server = Bun.serve({ hostname: "127.0.0.1", port: 0, routes: seedRoutes(upstream.url, "sk-seed") });
    try {
      const plain = await fetch(`${server.url}v1/chat/completions`, { method: "POST", body: JSON.stringify({ model: "m", messages: [] }) });
      expect(((await plain.json()) as any).object).toBe("chat.completion");
      const converted = await fetch(`${server.url}v1/messages`, {
        method: "POST",
        body: JSON.stringify({ model: "m", max_tokens: 9, messages: [{ role: "user", content: "hi" }] }),
      });
      expect(await converted.json()).toMatchObject({ type: "message", model: "m", content: [{ type: "text", text: "Hi from upstream é中" }] });
      expect(upstream.seen.at(-1)!.path).toBe("/v1/chat/completions");
      const forced = await fetch(`${server.url}force-stream/v1/messages`, {
        method: "POST",
        body: JSON.stringify({ model: "m", max_tokens: 9, messages: [{ role: "user", content: "hi" }] }),
      });
      expect(forced.headers.get("content-type")).toStartWith("text/event-stream");
      expect(await forced.text()).toContain("event: message_stop");
      const seen = upstream.seen.at(-1)!;
      expect(JSON.parse(new TextDecoder().decode(seen.body)).stream).toBe(true);
      expect(seen.headers.authorization).toBe("Bearer sk-seed");
    } finally {
      server.stop(true);
      upstream.stop();
    }
  });
});
