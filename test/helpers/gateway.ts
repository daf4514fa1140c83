// Starts a gateway in-process from YAML text, capturing its access log.
import { buildGateway, loadConfigText } from "../../src/config";
import { AccessLog, startServer } from "../../src/server";

/** A running in-process gateway. */
export interface TestGateway {
  url: string;
  port: number;
  logs: any[];
  stop(): void;
}

/** Starts a gateway on a free port of 127.0.0.1 with the given config text (server.port is ignored). */
export function startGateway(yaml: string, env: Record<string, string | undefined> = {}): TestGateway {
  const result = loadConfigText(yaml, env);
  if (!result.ok) throw new Error(`bad test config:\n${result.problems.map((p) => `${p.line}:${p.col} ${p.path}: ${p.message}`).join("\n")}`);
  const gateway = buildGateway(result.config, env);
  const logs: any[] = [];
  const log = new AccessLog({
    write: (text) => {
      for (const l of text.split("\n")) if (l) logs.push(JSON.parse(l));
    },
  });
  const server = startServer(() => gateway, {
    host: "127.0.0.1",
    port: 0,
    maxBodyBytes: result.config.server.max_body_bytes,
    jsonCheckMaxBytes: result.config.server.json_check_max_bytes,
    accessLog: log,
    version: "test",
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    port: server.port!,
    logs: new Proxy(logs, {
      get: (t, k) => {
        log.flush();
        return (t as any)[k];
      },
    }),
    stop: () => server.stop(true),
  };
}

/** A config with one model on one HTTP backend at `baseUrl`. */
export function httpConfig(baseUrl: string, extra = "", model = "up-model"): string {
  return `
server:
  max_body_bytes: 1048576
models:
  ${model}:
    backends:
      default:1:
        base_url: ${baseUrl}
        api_key: sk-upstream-secret
${extra}`;
}

/** A whole gateway (createGateway) from YAML text, answering in-process, with its access-log lines collected. */
export async function createLoggedGateway(yaml: string, env: Record<string, string> = {}) {
  const { createGateway } = await import("../../src/gateway");
  const loaded = loadConfigText(yaml, env);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  const lines: any[] = [];
  const write = (t: string) => {
    for (const l of t.split("\n")) if (l) lines.push(JSON.parse(l));
  };
  const gw = await createGateway({ source: { config: loaded.config }, env, accessLog: { sink: { write } } });
  return { gw, lines };
}

/** A gateway whose two models are served by converting: `on-chat` (an OpenAI chat backend), `on-claude` (an Anthropic one). */
export function convertingGateway(upstreamUrl: string, chatExtra = "") {
  return createLoggedGateway(`
backends:
  chat: { base_url: "${upstreamUrl}", api: openai-chat${chatExtra ? `, ${chatExtra}` : ""} }
  claude: { base_url: "${upstreamUrl}", api: anthropic-messages }
models:
  on-chat: { backends: { "default:1": { use: chat } } }
  on-claude: { backends: { "default:1": { use: claude } } }
`);
}

/** A gateway with one model `m` on the built-in mock, its usage ledger in `usageDb`. */
export function mockLedgerGateway(usageDb: string) {
  return createLoggedGateway(`
server: { usage_db: "${usageDb}" }
backends:
  mock: { provider: mock }
models:
  m: { backends: { "default:1": { use: mock } } }
`);
}
