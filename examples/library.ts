// OctoLLM as a library: a gateway composed in a few lines of TypeScript.
// Run: bun examples/library.ts   (then POST to http://127.0.0.1:8090/v1/chat/completions or /v1/messages)
import { BalancerEngine, HttpUpstreamEngine, MockEngine, ModelRouterEngine, engineFn, startServer, type Engine } from "octollm";

/** Builds the example's engine tree: one model on the offline mock, one on a real OpenAI-compatible API. */
export function buildExampleGateway(env: Record<string, string | undefined> = process.env): ModelRouterEngine {
  // an upstream endpoint for an OpenAI-compatible API (used only when OPENAI_API_KEY is set)
  const openai = new HttpUpstreamEngine({ baseUrl: env.OPENAI_BASE_URL ?? "https://api.openai.com", apiKey: env.OPENAI_API_KEY });
  // two mock backends, 3:1 by smooth weighted round-robin
  const pool = new BalancerEngine([
    { backend: { name: "mock-a", engine: new MockEngine({ text: "answer from mock A" }) }, weight: 3 },
    { backend: { name: "mock-b", engine: new MockEngine({ text: "answer from mock B" }) }, weight: 1 },
  ]);
  // a tiny engine of our own around the pool: tag every request
  const tagged: Engine = engineFn(async (req) => {
    req.ctx.tags.push("library-example");
    return pool.process(req);
  });
  const models = new Map<string, Engine>([["demo", tagged]]);
  if (env.OPENAI_API_KEY) models.set("gpt-4o-mini", openai);
  return new ModelRouterEngine(models);
}

if (import.meta.main) {
  const root = buildExampleGateway();
  const server = startServer(() => ({ root, listModels: () => root.listing() }), {
    host: "127.0.0.1",
    port: Number(process.env.PORT ?? 8090),
    maxBodyBytes: 10 << 20,
  });
  console.error(`library example listening on ${server.url}`);
}
