// The references: a bare Bun pass-through proxy that returns the upstream body as-is (native pipe), or, with
// "js" as the third argument, the same proxy whose body crosses JavaScript through a pull-based ReadableStream
// that reads the upstream body and does nothing else (the floor for anything that must see stream bytes).
export {};
const port = Number(process.argv[2] ?? 0);
const upstream = process.argv[3] ?? "http://127.0.0.1:9000";
const throughJs = process.argv[4] === "js";

/** The upstream body read chunk by chunk in JavaScript, as a gateway that watches the bytes must. */
function viaJs(body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>(
    {
      async pull(ctrl) {
        const { done, value } = await reader.read();
        if (done) ctrl.close();
        else ctrl.enqueue(value);
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  );
}

const server = Bun.serve({
  hostname: "127.0.0.1",
  port,
  idleTimeout: 0,
  development: false,
  async fetch(req) {
    const url = req.url;
    const path = url.slice(url.indexOf("/", 8));
    const res = await fetch(upstream + path, { method: req.method, headers: req.headers, body: req.body, decompress: false });
    return new Response(throughJs && res.body ? viaJs(res.body) : res.body, { status: res.status, headers: res.headers });
  },
});
console.log(`listening on ${server.url}`);
