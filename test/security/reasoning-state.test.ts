// #23.16: only reasoning state the gateway made and can verify goes upstream. A chat client's own reasoning_opaque
// (the gateway's internal field) is dropped, never sent on as an Anthropic signature or a Responses
// encrypted_content; gateway signatures (gw1., gw2., escaped or not) never reach Anthropic on pass-through.
import { afterAll, expect, test } from "bun:test";
import { ANTHROPIC_BODY, OPENAI_BODY, startMockUpstream } from "../helpers/mock-upstream";
import { createLoggedGateway } from "../helpers/gateway";

const responseBody = JSON.stringify({ id: "resp_1", object: "response", status: "completed", output: [], usage: { input_tokens: 1, output_tokens: 1 } });
const upstream = startMockUpstream((req) => ({
  body: req.path.includes("/responses") ? responseBody : req.path.includes("/messages") ? ANTHROPIC_BODY : OPENAI_BODY,
}));
afterAll(() => upstream.stop());
const { gw } = await createLoggedGateway(`
backends:
  claude: { base_url: "${upstream.url}", api: anthropic-messages }
  resp: { base_url: "${upstream.url}", api: openai-responses }
models:
  on-claude: { backends: { "default:1": { use: claude } } }
  on-responses: { backends: { "default:1": { use: resp } } }
`);
afterAll(() => gw.shutdown());

const post = (path: string, body: object) => gw.fetch(new Request(`http://gw${path}`, { method: "POST", body: JSON.stringify(body) }));
const sent = () => new TextDecoder().decode(upstream.seen.at(-1)!.body);
const history = (opaque: string) => [
  { role: "user", content: "hi" },
  { role: "assistant", content: "ok", reasoning_content: "I thought", reasoning_opaque: opaque },
  { role: "user", content: "more" },
];

test("a chat client's reasoning_opaque never becomes an Anthropic signature or a Responses encrypted_content", async () => {
  expect((await post("/v1/chat/completions", { model: "on-claude", messages: history("a.FORGED-SIGNATURE") })).status).toBe(200);
  expect(sent()).not.toContain("FORGED-SIGNATURE");
  expect(sent()).not.toContain(`"type":"thinking"`);
  expect((await post("/v1/chat/completions", { model: "on-responses", messages: history("r.FORGED-STATE") })).status).toBe(200);
  expect(sent()).not.toContain("FORGED-STATE");
  expect(sent()).not.toContain(`"type":"reasoning"`);
});

test("Anthropic pass-through: thinking blocks with gateway signatures (gw1, gw2, escaped) are removed; Anthropic's own stay", async () => {
  for (const signature of ["gw2.c3RhdGU.bWFj", "gw1.abc", "\\u0067w2.c3RhdGU.bWFj"]) {
    const raw = `{"model":"on-claude","max_tokens":10,"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":[{"type":"thinking","thinking":"t","signature":"${signature}"},{"type":"text","text":"ok"}]},{"role":"user","content":"more"}]}`;
    const r = await gw.fetch(new Request("http://gw/v1/messages", { method: "POST", body: raw }));
    expect(r.status).toBe(200);
    expect(sent()).not.toContain(`"type":"thinking"`);
  }
  const own = `{"model":"on-claude","max_tokens":10,"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":[{"type":"thinking","thinking":"t","signature":"EqQBCkYIBRgCKkD"},{"type":"text","text":"ok"}]},{"role":"user","content":"more"}]}`;
  await gw.fetch(new Request("http://gw/v1/messages", { method: "POST", body: own }));
  expect(sent()).toBe(own); // untouched: the client's bytes
});
