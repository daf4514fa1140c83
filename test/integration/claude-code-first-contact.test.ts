// Claude Code on first contact (#14): the real CLI, offline, against scripted backends on 127.0.0.1.
// A config whose only model is `claude-*` serves whatever names Claude Code sends, its Explore subagent
// included; `octollm claude` runs it end to end; a refused upstream key ends a run quickly with its message.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { loadConfigText } from "../../src/config";
import { createGateway, type Gateway } from "../../src/gateway";
import { runClaude } from "../helpers/claude-cli";
import { startMockUpstream } from "../helpers/mock-upstream";

const root = resolve(import.meta.dir, "../..");

/** The launcher, as a user runs it from a clone: `bun src/cli/main.ts claude …`. */
const LAUNCHER = [process.execPath, join(root, "src/cli/main.ts")];

/** A config file in a new folder whose claude-* model is the scripted backend, sending `apiKey`; its folder and path. */
function launcherConfig(apiKey = "sk-good-upstream"): { dir: string; config: string } {
  const dir = mkdtempSync(join(tmpdir(), "octollm-launch-"));
  const config = join(dir, "config.yaml");
  writeFileSync(
    config,
    `models:\n  claude-*:\n    backends:\n      "default:1": { base_url: "${upstream.url}", api_key: "${apiKey}", convert_to_messages: from_chat }\n`,
  );
  return { dir, config };
}
const chunk = (delta: object, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
const text = (t: string) => ({ chunks: [chunk({ role: "assistant", content: t }), chunk({}, "stop"), "data: [DONE]\n\n"] });

// a scripted OpenAI backend: subagents report, the main agent starts an Explore subagent when asked to explore
const upstream = startMockUpstream((req, body) => {
  if ((req.headers.authorization ?? "").includes("refused"))
    return { status: 401, body: `{"error":{"message":"Incorrect API key provided: sk-refu***","type":"invalid_request_error"}}` };
  const last = body?.messages?.at(-1);
  // the subagent's own request (its headers stay behind on a converted route: it is known by the prompt it was given)
  if (last?.role === "user" && JSON.stringify(last.content).includes("List the files in this directory.")) return text("Explored: the repository has 3 files.");
  if (last?.role === "tool") return text(`The explorer says: ${String(last.content).slice(0, 200)}`);
  const asked = JSON.stringify(body?.messages ?? []);
  if (asked.includes("EXPLORE-THIS") && body?.tools?.some((t: any) => t.function?.name === "Agent")) {
    const args = { description: "Explore the repository", prompt: "List the files in this directory.", subagent_type: "Explore" };
    return {
      chunks: [
        chunk({ role: "assistant", content: "" }),
        chunk({ tool_calls: [{ index: 0, id: "call_agent_1", type: "function", function: { name: "Agent", arguments: JSON.stringify(args) } }] }),
        chunk({}, "tool_calls"),
        "data: [DONE]\n\n",
      ],
    };
  }
  return text("hello from the pattern model");
});

let gw: Gateway;
let server: ReturnType<Gateway["listen"]>;
const logs: any[] = [];
beforeAll(async () => {
  const loaded = loadConfigText(
    `models:\n  claude-*:\n    backends:\n      "default:1": { base_url: "${upstream.url}", api_key: sk-good-upstream, model: any-openai-model, convert_to_messages: from_chat }\n  refused-*:\n    backends:\n      "default:1": { base_url: "${upstream.url}", api_key: sk-refused-upstream, convert_to_messages: from_chat }\n  dead-*:\n    backends:\n      "default:1": { base_url: "http://127.0.0.1:9", convert_to_messages: from_chat }\n`,
    {},
  );
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  gw = await createGateway({
    source: { config: loaded.config },
    env: {},
    accessLog: {
      sink: {
        write: (t) =>
          logs.push(
            ...t
              .split("\n")
              .filter(Boolean)
              .map((l) => JSON.parse(l)),
          ),
      },
    },
  });
  server = gw.listen("127.0.0.1", 0);
});
afterAll(() => {
  server?.stop(true);
  upstream.stop();
});

const gatewayEnv = () => ({ ANTHROPIC_BASE_URL: server.url.href.replace(/\/$/, ""), ANTHROPIC_AUTH_TOKEN: "any-token" });

test("claude -p with no model variables completes on a config whose only model is claude-*", async () => {
  const r = await runClaude(["-p", "say hi"], gatewayEnv());
  expect({ code: r.code, out: r.out.trim(), err: r.err }).toEqual({ code: 0, out: "hello from the pattern model", err: "" });
  gw.accessLog.flush();
  const served = logs.filter((l) => l.path === "/v1/messages");
  expect(served.length).toBeGreaterThan(0);
  for (const l of served) expect([l.status, l.route, l.upstream_model]).toEqual([200, "claude-*", "any-openai-model"]);
  expect(served[0].model).toStartWith("claude-");
  expect(served[0].session).toMatch(/^[0-9a-f-]{36}$/);
}, 120_000);

test("an Explore subagent's request is served, not refused, and the main agent gets its report", async () => {
  logs.length = 0;
  const r = await runClaude(["-p", "EXPLORE-THIS: what is in this directory?"], gatewayEnv());
  expect(r.code).toBe(0);
  expect(r.out).toContain("Explored: the repository has 3 files.");
  gw.accessLog.flush();
  const subagent = logs.filter((l) => l.agent);
  expect(subagent.length).toBeGreaterThan(0);
  for (const l of subagent) expect([l.status, l.route]).toEqual([200, "claude-*"]);
  expect(subagent.some((l) => l.model.includes("haiku"))).toBe(true); // Explore asks for the haiku name (2.1.197: claude-haiku-4-5-20251001)
  expect(logs.every((l) => l.status === 200)).toBe(true);
}, 120_000);

test("an upstream that refuses the gateway's key ends a run in well under 30 s, with the upstream's message", async () => {
  const r = await runClaude(["-p", "say hi", "--model", "refused-model"], gatewayEnv());
  expect(r.ms).toBeLessThan(30_000);
  expect(r.code).not.toBe(0);
  const said = r.out + r.err;
  expect(said).toContain("Incorrect API key provided");
  expect(said).not.toContain("/login");
}, 60_000);

test("#24.3: a backend no one can reach: Claude Code asks once, not for minutes, and shows which backend and why", async () => {
  logs.length = 0;
  const r = await runClaude(["-p", "say hi", "--model", "dead-model"], gatewayEnv());
  expect(r.code).not.toBe(0);
  expect(r.out + r.err).toContain("no backend of this model could be reached (tried default:1");
  await Bun.sleep(100);
  gw.accessLog.flush();
  expect(logs.filter((l) => l.msg === "access" && l.path === "/v1/messages" && l.model === "dead-model").length).toBe(1); // no retries
}, 60_000);

test("octollm claude -c config -- -p runs Claude Code through its own gateway and leaves no process behind", async () => {
  const { dir, config } = launcherConfig();
  const r = await runClaude(["claude", "-c", config, "--log-file", join(dir, "gw.log"), "--", "-p", "say hi"], {}, LAUNCHER);
  expect({ code: r.code, out: r.out.trim() }).toEqual({ code: 0, out: "hello from the pattern model" });
  const url = /gateway on (http:\/\/127\.0\.0\.1:\d+)/.exec(r.err)?.[1];
  expect(url).toBeDefined();
  expect(
    await fetch(`${url}/healthz`).then(
      () => "answered",
      () => "gone",
    ),
  ).toBe("gone");
  const left = Bun.spawnSync(["ps", "-eo", "args"])
    .stdout.toString()
    .split("\n")
    .filter((l) => l.includes(r.home));
  expect(left).toEqual([]);
  const lines = (await Bun.file(join(dir, "gw.log")).text())
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  expect(lines.some((l) => l.path === "/v1/messages" && l.status === 200)).toBe(true);
}, 120_000);

test("#24.5: through octollm claude, CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY=1 reaches the gateway's /v1/models; empty api_key warnings show", async () => {
  const { dir, config } = launcherConfig("${UNSET_KEY_FOR_TEST:-}");
  const log = join(dir, "gw.log");
  // the user's environment: discovery on, and nothing else (the launcher sets what keeps Claude Code quiet)
  const env = { CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "", CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY: "1" };
  const r = await runClaude(["claude", "-c", config, "--log-file", log, "--", "-p", "say hi"], env, LAUNCHER);
  expect(r.code).toBe(0);
  expect(r.err).toContain("api_key resolved empty");
  const lines = (await Bun.file(log).text())
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  expect(lines.some((l) => l.msg === "access" && l.method === "GET" && l.path === "/v1/models")).toBe(true);
}, 60_000);

test("#24.5: a session resumes through the gateway with octollm claude -c … -- --resume <id>, its history sent again", async () => {
  const { dir, config } = launcherConfig();
  // the same home and working directory for both runs, as a user's terminal has
  const run = (args: string[]) => runClaude(["claude", "-c", config, "--log-file", join(dir, "gw.log"), "--", ...args], {}, LAUNCHER, dir);
  const first = await run(["-p", "remember the word PELICAN", "--output-format", "json"]);
  expect(first.code).toBe(0);
  const id = JSON.parse(first.out).session_id as string;
  const before = upstream.seen.length;
  const second = await run(["-p", "--resume", id, "which word did I ask you to remember?"]);
  expect(second.code).toBe(0);
  const resumed = upstream.seen.slice(before).map((r) => new TextDecoder().decode(r.body));
  expect(resumed.some((b) => b.includes("PELICAN") && b.includes("which word did I ask you to remember?"))).toBe(true);
}, 90_000);

test("octollm claude says how to install Claude Code when it is missing", async () => {
  const r = await runClaude(["claude", "-c", "nope.yaml"], { OCTOLLM_CLAUDE_BIN: "/nonexistent/claude" }, LAUNCHER);
  expect(r.code).toBe(127);
  expect(r.err).toContain("npm install -g @anthropic-ai/claude-code");
}, 30_000);
