// The original OctoLLM README's Go example, in TypeScript: an upstream endpoint, a converter around it,
// a rewrite around that, and handlers on a server, each on a path of your own.
// Run: OCTOLLM_API_KEY=sk-... bun examples/seed-gateway.ts
import { HttpUpstreamEngine, MessagesFromChatEngine, RewriteEngine, chatCompletionsHandler, messagesHandler, type RouteHandler } from "octollm";

/** The example's routes, against an OpenAI-compatible API at `baseUrl`. */
export function seedRoutes(baseUrl = "https://cloud.infini-ai.com/maas", apiKey = process.env.OCTOLLM_API_KEY): Record<string, RouteHandler> {
  // a general endpoint for an OpenAI-compatible API
  const ep = new HttpUpstreamEngine({ baseUrl, paths: { "openai.chat": "/v1/chat/completions" }, apiKey });
  // a converter that serves the Claude Messages API from it
  const conv = new MessagesFromChatEngine(ep);
  // a rewrite engine around the converter that forces streaming
  const forceStream = new RewriteEngine(conv, { request: { set_keys: { stream: true } } });
  return {
    "/v1/chat/completions": chatCompletionsHandler(ep),
    "/v1/messages": messagesHandler(conv),
    "/force-stream/v1/messages": messagesHandler(forceStream),
  };
}

if (import.meta.main) {
  const server = Bun.serve({ hostname: "127.0.0.1", port: 8080, development: false, idleTimeout: 0, routes: seedRoutes() });
  console.error(`seed example listening on ${server.url}`);
}
