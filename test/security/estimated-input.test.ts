// A stream that never tells its input tokens (here the built-in mock, whose chat streams carry no usage unless
// asked) is charged the request's estimated input with the output its text carried, never the output alone: a
// long prompt cannot ride free on a stream that keeps quiet about it.
import { expect, test } from "bun:test";
import { createLoggedGateway } from "../helpers/gateway";

test("a quiet stream pays its prompt: the estimated input is charged beside the estimated output", async () => {
  const { gw, lines } = await createLoggedGateway(`
backends:
  mock: { provider: mock, price: { input: 3, output: 15 } }
models:
  m: { backends: { "default:1": { use: mock } } }
`);
  try {
    const prompt = "word ".repeat(20_000); // ~100 000 characters: ~25 000 tokens
    const res = await gw.fetch(
      new Request("http://gw/v1/chat/completions", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "m", stream: true, messages: [{ role: "user", content: prompt }] }),
      }),
    );
    const text = await res.text();
    expect(text).not.toContain('"usage"'); // the stream told nothing
    gw.accessLog.flush();
    const line = lines.filter((l) => l.msg === "access").at(-1);
    expect(line.estimate).toBe("stream_text");
    expect(line.tokens_in).toBeGreaterThan(20_000);
    expect(line.tokens_out).toBeGreaterThan(0);
    expect(line.cost_usd).toBeCloseTo((line.tokens_in * 3 + line.tokens_out * 15) / 1e6, 9);
  } finally {
    await gw.shutdown(100);
  }
});
