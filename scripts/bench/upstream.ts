// Benchmark upstream: a fast mock LLM API. Non-stream answers a fixed JSON; with "stream":true in the body it
// sends ?chunks=N OpenAI chunks (default 50), ?pace=MS apart (default 0: all at once).
export {};
const port = Number(process.argv[2] ?? 0);
const encoder = new TextEncoder();
const BODY = JSON.stringify({
  id: "chatcmpl-bench",
  object: "chat.completion",
  created: 1700000000,
  model: "bench",
  choices: [{ index: 0, message: { role: "assistant", content: "The quick brown fox jumps over the lazy dog. ".repeat(4) }, finish_reason: "stop" }],
  usage: { prompt_tokens: 20, completion_tokens: 40, total_tokens: 60 },
});
const chunk = (i: number) =>
  encoder.encode(
    `data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1700000000,"model":"bench","choices":[{"index":0,"delta":{"content":"token${i} "},"finish_reason":null}]}\n\n`,
  );
const DONE = encoder.encode(
  `data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1700000000,"model":"bench","choices":[],"usage":{"prompt_tokens":20,"completion_tokens":50,"total_tokens":70}}\n\ndata: [DONE]\n\n`,
);
const CHUNKS = Array.from({ length: 1000 }, (_, i) => chunk(i));

const server = Bun.serve({
  hostname: "127.0.0.1",
  port,
  idleTimeout: 0,
  development: false,
  async fetch(req) {
    const text = await req.text();
    if (!text.includes(`"stream":true`)) return new Response(BODY, { headers: { "content-type": "application/json" } });
    const q = new URL(req.url).searchParams;
    const n = Math.min(1000, Number(q.get("chunks") ?? 50));
    const pace = Number(q.get("pace") ?? 0);
    if (pace === 0) {
      // all chunks at once, as separate writes
      return new Response(
        new ReadableStream({
          type: "direct",
          async pull(ctrl) {
            for (let i = 0; i < n; i++) ctrl.write(CHUNKS[i]!);
            ctrl.write(DONE);
            ctrl.close();
          },
        }),
        { headers: { "content-type": "text/event-stream" } },
      );
    }
    return new Response(
      new ReadableStream({
        type: "direct",
        async pull(ctrl) {
          for (let i = 0; i < n; i++) {
            ctrl.write(CHUNKS[i]!);
            await ctrl.flush();
            await Bun.sleep(pace);
          }
          ctrl.write(DONE);
          ctrl.close();
        },
      }),
      { headers: { "content-type": "text/event-stream" } },
    );
  },
});
console.log(`listening on ${server.url}`);
