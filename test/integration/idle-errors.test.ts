// An upstream stream that goes idle ends with the same error on every route (#13.3): passed through or
// converted, the client sees its protocol's timeout error, never a different type per route.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { events } from "../helpers/anthropic-grammar";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { ANTHROPIC_CHUNKS, OPENAI_CHUNKS, startMockUpstream } from "../helpers/mock-upstream";

let upstream: ReturnType<typeof startMockUpstream>;
let gw: TestGateway;
beforeAll(() => {
  upstream = startMockUpstream((req) => ({ chunks: req.path.includes("messages") ? ANTHROPIC_CHUNKS.slice(0, 3) : OPENAI_CHUNKS.slice(0, 2), hang: true }));
  gw = startGateway(`
backends:
  up: { base_url: "${upstream.url}", idle_timeout_ms: 200 }
models:
  pass: { backends: { "default:1": { use: up } } }
  to-chat: { backends: { "default:1": { use: up, convert_to_messages: from_chat } } }
  to-messages: { backends: { "default:1": { use: up, convert_to_chat: from_messages } } }
`);
});
afterAll(() => {
  gw.stop();
  upstream.stop();
});

const stream = async (path: string, model: string) =>
  (
    await fetch(`${gw.url}${path}`, {
      method: "POST",
      body: JSON.stringify({ model, max_tokens: 10, stream: true, messages: [{ role: "user", content: "hi" }] }),
    })
  ).text();

test("Anthropic clients: timeout_error passed through and converted", async () => {
  for (const model of ["pass", "to-chat"]) {
    const last = events(await stream("/v1/messages", model)).at(-1)!;
    expect(last.event).toBe("error");
    expect(last.data.error.type).toBe("timeout_error");
    expect(last.data.error.message).toContain("idle for 200 ms");
  }
});

test("OpenAI clients: the same error object passed through and converted", async () => {
  const errors = [];
  for (const model of ["pass", "to-messages"]) {
    const text = await stream("/v1/chat/completions", model);
    const last = text.trimEnd().split("\n\n").pop()!;
    errors.push(JSON.parse(last.replace(/^data: /, "")).error);
  }
  expect(errors[0]).toEqual(errors[1]);
  expect(errors[0]).toMatchObject({ type: "server_error", code: "timeout" });
});
