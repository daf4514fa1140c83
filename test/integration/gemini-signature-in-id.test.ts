// A chat client (no place for a thought signature) in a tool loop on a Gemini 3 backend: by default the next turn
// sends Google's validator-skip value on the call; with profile.thought_signature_in_tool_id the call's id carries
// the model's own signature, and the next turn gives it back with the id Gemini gave.
import { afterAll, expect, test } from "bun:test";
import { startGateway } from "../helpers/gateway";
import { startMockUpstream } from "../helpers/mock-upstream";

const SIG = "CiQBcsjafQ+/real/thought=signature==";
const call = { functionCall: { id: "g-call-1", name: "read", args: { p: "a.txt" } }, thoughtSignature: SIG };
const sse = (o: object) => `data: ${JSON.stringify(o)}\r\n\r\n`;
const upstream = startMockUpstream(() => ({
  headers: { "content-type": "text/event-stream" },
  body: sse({
    candidates: [{ content: { role: "model", parts: [call] }, finishReason: "STOP" }],
    usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 3 },
  }),
}));
const backend = (profile: string) => `{ base_url: "${upstream.url}", api: google-gemini, api_key: g-key${profile} }`;
const gw = startGateway(`
models:
  gemini-3-flash-preview: { backends: { "default:1": ${backend("")} } }
  signed: { backends: { "default:1": ${backend(", model: gemini-3-flash-preview, profile: { thought_signature_in_tool_id: true }")} } }
`);
afterAll(() => {
  gw.stop();
  upstream.stop();
});

const tools = [{ type: "function", function: { name: "read", parameters: { type: "object", properties: { p: { type: "string" } } } } }];
const chat = async (model: string, messages: object[]) => {
  const r = await fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model, messages, tools }),
  });
  return (await r.json()) as any;
};

async function loop(model: string) {
  const ask = { role: "user", content: "read a.txt" };
  const first = await chat(model, [ask]);
  const tc = first.choices[0].message.tool_calls[0];
  await chat(model, [ask, { role: "assistant", content: null, tool_calls: [tc] }, { role: "tool", tool_call_id: tc.id, content: "hello" }]);
  const sent = JSON.parse(new TextDecoder().decode(upstream.seen.at(-1)!.body));
  return { id: tc.id as string, model: sent.contents[1].parts[0], result: sent.contents[2].parts[0] };
}

test("by default: the call keeps Gemini's id and the next turn sends the validator-skip value", async () => {
  const r = await loop("gemini-3-flash-preview");
  expect(r.id).toBe("g-call-1");
  expect(r.model).toEqual({ functionCall: { id: "g-call-1", name: "read", args: { p: "a.txt" } }, thoughtSignature: "skip_thought_signature_validator" });
  expect(r.result.functionResponse.id).toBe("g-call-1");
});

test("with thought_signature_in_tool_id: the id carries the signature, and Gemini gets its own id and signature back", async () => {
  const r = await loop("signed");
  expect(r.id).toStartWith("g-call-1__gts_");
  expect(r.id).toMatch(/^[\w-]+$/); // base64url: safe in any client's id
  expect(r.model).toEqual({ functionCall: { id: "g-call-1", name: "read", args: { p: "a.txt" } }, thoughtSignature: SIG });
  expect(r.result.functionResponse).toMatchObject({ id: "g-call-1", name: "read" });
});
