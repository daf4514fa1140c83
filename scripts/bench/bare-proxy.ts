// The reference: a bare Bun pass-through proxy. Its handler fetches the upstream and returns the body as-is.
export {};
const port = Number(process.argv[2] ?? 0);
const upstream = process.argv[3] ?? "http://127.0.0.1:9000";

const server = Bun.serve({
  hostname: "127.0.0.1",
  port,
  idleTimeout: 0,
  development: false,
  async fetch(req) {
    const url = req.url;
    const path = url.slice(url.indexOf("/", 8));
    const res = await fetch(upstream + path, { method: req.method, headers: req.headers, body: req.body, decompress: false });
    return new Response(res.body, { status: res.status, headers: res.headers });
  },
});
console.log(`listening on ${server.url}`);
