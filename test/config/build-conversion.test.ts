// The conversion table: for every client API and every backend API (alone, listed first, or unset), the request
// reaches the upstream in the API the backend speaks: as it came when the backend speaks the client's API, else
// converted to the first API listed; and a client API never passes to a backend that does not speak it.
import { describe, expect, test } from "bun:test";
import { engineFn, LazyBody, type Api, type ApiFormat, type LLMRequest } from "../../src/core";
import { conversionEngine } from "../../src/config/build-conversion";
import type { BackendConfig } from "../../src/config";
import { llmRequest } from "../helpers/requests";

const CLIENTS: { format: ApiFormat; api: Api; body: object }[] = [
  { format: "openai.chat", api: "openai-chat", body: { model: "m", messages: [{ role: "user", content: "hi" }] } },
  { format: "anthropic.messages", api: "anthropic-messages", body: { model: "m", max_tokens: 10, messages: [{ role: "user", content: "hi" }] } },
  { format: "openai.responses", api: "openai-responses", body: { model: "m", input: "hi" } },
];
const MAIN_FORMAT: Record<Api, ApiFormat> = {
  "openai-chat": "openai.chat",
  "anthropic-messages": "anthropic.messages",
  "openai-responses": "openai.responses",
  "google-gemini": "gemini.generate",
};
const BACKENDS: (Api[] | undefined)[] = [
  undefined,
  ["openai-chat"],
  ["anthropic-messages"],
  ["openai-responses"],
  ["openai-responses", "openai-chat"],
  ["anthropic-messages", "openai-responses"],
];

/** The format the upstream receives for one client request on a backend speaking `apis`. */
async function upstreamFormat(apis: Api[] | undefined, client: (typeof CLIENTS)[number]): Promise<ApiFormat | undefined> {
  let seen: ApiFormat | undefined;
  const upstream = engineFn(async (req: LLMRequest) => {
    seen = req.format;
    return {
      status: 400,
      headers: new Headers({ "content-type": "application/json" }),
      body: LazyBody.fromValue({ error: { message: "no", type: "invalid_request_error" } }),
    };
  });
  const b = { base_url: "http://127.0.0.1:1", ...(apis ? { api: apis } : {}) } as BackendConfig;
  await conversionEngine(b, upstream).process(llmRequest({ format: client.format, body: client.body }));
  return seen;
}

describe("the conversion table", () => {
  for (const apis of BACKENDS) {
    for (const client of CLIENTS) {
      const want = apis === undefined || apis.includes(client.api) ? client.format : MAIN_FORMAT[apis[0]!];
      test(`${client.format} on a backend speaking ${apis?.join(", ") ?? "(unset)"} reaches it as ${want}`, async () => {
        expect(await upstreamFormat(apis, client)).toBe(want);
      });
    }
  }

  test("the mock speaks chat: every client API reaches it as chat, whatever api says", async () => {
    for (const client of CLIENTS) {
      let seen: ApiFormat | undefined;
      const upstream = engineFn(async (req: LLMRequest) => {
        seen = req.format;
        return { status: 400, headers: new Headers(), body: LazyBody.fromValue({ error: { message: "no" } }) };
      });
      await conversionEngine({ provider: "mock", api: "anthropic-messages" } as BackendConfig, upstream).process(
        llmRequest({ format: client.format, body: client.body }),
      );
      expect(seen).toBe("openai.chat");
    }
  });
});
