// Benchmark moderation service: an OpenAI-compatible /v1/moderations that answers "not flagged" at once.
export {};
const port = Number(process.argv[2] ?? 0);
const ANSWER = JSON.stringify({
  id: "modr-bench",
  model: "omni-moderation-latest",
  results: [{ flagged: false, categories: { violence: false }, category_scores: { violence: 0.001 } }],
});
const server = Bun.serve({
  hostname: "127.0.0.1",
  port,
  development: false,
  async fetch(req) {
    await req.arrayBuffer();
    return new Response(ANSWER, { headers: { "content-type": "application/json" } });
  },
});
console.log(`listening on ${server.url}`);
