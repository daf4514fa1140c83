// The Gemini adapters: a Gemini request read into the hub, and the hub written as a Gemini request, field by field;
// a round trip of a tool loop keeps call ids paired and puts a signature on the current turn's first call.
import { describe, expect, test } from "bun:test";
import {
  decodeGeminiState,
  encodeGeminiState,
  geminiSchema,
  geminiToHubRequest,
  hubErrorOfGemini,
  hubToGeminiRequest,
  makeProfile,
  messagesFromChatError,
  openState,
  resetEnvelopeWarnings,
  sealState,
  SKIP_SIGNATURE,
} from "../../src/convert";
import { log } from "../../src/core";

const profile = makeProfile();

describe("Gemini request → hub", () => {
  const loop = {
    systemInstruction: { role: "user", parts: [{ text: "You are a CLI." }, { text: "Be brief." }] },
    contents: [
      { role: "user", parts: [{ text: "Create hello.txt" }] },
      {
        role: "model",
        parts: [
          { text: "Thinking it over", thought: true },
          { text: "I will write it." },
          { functionCall: { id: "c1", name: "write_file", args: { path: "hello.txt" } }, thoughtSignature: "sig" },
          { functionCall: { name: "read_file", args: {} } },
        ],
      },
      {
        role: "user",
        parts: [
          { functionResponse: { name: "read_file", response: { output: "ok" } } },
          { functionResponse: { id: "c1", name: "write_file", response: { error: "disk full" } } },
        ],
      },
    ],
    tools: [
      {
        functionDeclarations: [
          { name: "write_file", parameters: { type: "OBJECT", properties: { path: { type: "STRING", nullable: true } }, required: ["path"] } },
          { name: "read_file" },
        ],
      },
    ],
    toolConfig: { functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["write_file"] } },
    generationConfig: { temperature: 0.5, maxOutputTokens: 100, stopSequences: ["X"], thinkingConfig: { thinkingBudget: 20000, includeThoughts: true } },
  };

  test("a tool loop: system, calls with ids (a made one where none came), results paired by id or name", () => {
    const { body, ctx } = geminiToHubRequest(loop, "gemini-x", true, profile);
    expect(body.messages[0]).toEqual({ role: "system", content: "You are a CLI.\n\nBe brief." });
    const assistant = body.messages[2]!;
    expect(assistant.content).toBe("I will write it.");
    expect(assistant.reasoning_content).toBe("Thinking it over");
    expect(assistant.tool_calls!.map((c) => c.id)).toEqual(["c1", "gc_1_3"]);
    expect(body.messages.slice(3)).toEqual([
      { role: "tool", tool_call_id: "gc_1_3", content: "ok" },
      { role: "tool", tool_call_id: "c1", content: "Error: disk full" },
    ]);
    expect(body.tools!.map((t) => t.function.name)).toEqual(["write_file"]); // allowedFunctionNames filters
    expect(body.tools![0]!.function.parameters).toEqual({ type: "object", properties: { path: { type: ["string", "null"] } }, required: ["path"] });
    expect(body.tool_choice).toEqual({ type: "function", function: { name: "write_file" } });
    expect([body.temperature, body.max_tokens, body.stop, body.reasoning_effort, body.stream]).toEqual([0.5, 100, ["X"], "high", true]);
    expect(ctx.includeThoughts).toBe(true);
  });

  test("Google-only tools, several candidates, cached content and bad parts are refused with the field named", () => {
    const base = { contents: [{ role: "user", parts: [{ text: "hi" }] }] };
    expect(() => geminiToHubRequest({ ...base, tools: [{ googleSearch: {} }] }, "m", false, profile)).toThrow("tools[0].googleSearch");
    expect(() => geminiToHubRequest({ ...base, generationConfig: { candidateCount: 2 } }, "m", false, profile)).toThrow("candidateCount");
    expect(() => geminiToHubRequest({ ...base, cachedContent: "cachedContents/x" }, "m", false, profile)).toThrow("cachedContent");
    expect(() => geminiToHubRequest({ contents: [] }, "m", false, profile)).toThrow("contents is not specified");
    expect(() => geminiToHubRequest({ contents: [{ role: "bot", parts: [{ text: "x" }] }] }, "m", false, profile)).toThrow("valid role");
    expect(() => geminiToHubRequest({ contents: [{ parts: [{ inlineData: { mimeType: "image/png", data: "not base64!" } }] }] }, "m", false, profile)).toThrow(
      "base64",
    );
    expect(() => geminiToHubRequest({ contents: [{ parts: [{ fileData: { fileUri: "gs://b/x.png" } }] }] }, "m", false, profile)).toThrow("fileUri");
    expect(() => geminiToHubRequest({ contents: [{ parts: [{}] }] }, "m", false, profile)).toThrow("oneof");
  });

  test("a function result's images (Gemini 3 multimodal results) go to the user message after the results", () => {
    const { body } = geminiToHubRequest(
      {
        contents: [
          { role: "user", parts: [{ text: "look" }] },
          { role: "model", parts: [{ functionCall: { id: "r1", name: "read_file", args: {} } }] },
          {
            role: "user",
            parts: [
              {
                functionResponse: {
                  id: "r1",
                  name: "read_file",
                  response: { output: "an image" },
                  parts: [{ inlineData: { mimeType: "image/png", data: "AAAA" } }],
                },
              },
            ],
          },
        ],
      },
      "m",
      false,
      profile,
    );
    expect(body.messages.slice(2)).toEqual([
      { role: "tool", tool_call_id: "r1", content: "an image" },
      {
        role: "user",
        content: [
          { type: "text", text: "[output of tool r1]" },
          { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } },
        ],
      },
    ]);
  });

  test("images, text data and JSON mode", () => {
    const { body } = geminiToHubRequest(
      {
        contents: [
          {
            parts: [
              { inlineData: { mimeType: "image/png", data: "iVBORw0KGgo=" } },
              { inlineData: { mimeType: "text/plain", data: Buffer.from("notes").toString("base64") } },
            ],
          },
        ],
        generationConfig: { responseMimeType: "application/json" },
      },
      "m",
      false,
      profile,
    );
    expect(body.messages[0]!.content).toEqual([
      { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
      { type: "text", text: "notes" },
    ]);
    expect(body.response_format).toEqual({ type: "json_object" });
  });
});

describe("hub → Gemini request", () => {
  const hub = {
    model: "gemini-3.1-pro-preview",
    stream: true,
    messages: [
      { role: "system", content: "Be brief." },
      { role: "user", content: "old question" },
      { role: "assistant", content: null, tool_calls: [{ id: "t0", type: "function", function: { name: "ls", arguments: "{}" } }] },
      { role: "tool", tool_call_id: "t0", content: "a.txt" },
      { role: "assistant", content: "done" },
      {
        role: "user",
        content: [
          { type: "text", text: "now write" },
          { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } },
        ],
      },
      {
        role: "assistant",
        content: "writing",
        tool_calls: [
          { id: "t1", type: "function", function: { name: "write", arguments: '{"p":1}' } },
          { id: "t2", type: "function", function: { name: "ls", arguments: "{}" } },
        ],
      },
      { role: "tool", tool_call_id: "t1", content: "ok" },
      { role: "tool", tool_call_id: "t2", content: "a.txt b.txt" },
    ],
    tools: [
      {
        type: "function",
        function: { name: "write", parameters: { $schema: "x", type: "object", properties: { p: { $ref: "#/$defs/P" } }, $defs: { P: { type: "integer" } } } },
      },
    ],
    tool_choice: "required",
    max_tokens: 1000,
    reasoning_effort: "high",
  };

  test("system instruction, contents with results as one user content, signatures on the current turn only", () => {
    const { body } = hubToGeminiRequest(hub, profile);
    expect(body.systemInstruction).toEqual({ parts: [{ text: "Be brief." }] });
    const roles = body.contents.map((c: any) => c.role);
    expect(roles).toEqual(["user", "model", "user", "model", "user", "model", "user"]);
    expect(body.contents[1].parts[0].thoughtSignature).toBeUndefined(); // an earlier turn is not validated
    expect(body.contents[5].parts).toEqual([
      { text: "writing" },
      { functionCall: { id: "t1", name: "write", args: { p: 1 } }, thoughtSignature: SKIP_SIGNATURE },
      { functionCall: { id: "t2", name: "ls", args: {} } },
    ]);
    expect(body.contents[6].parts).toEqual([
      { functionResponse: { id: "t1", name: "write", response: { output: "ok" } } },
      { functionResponse: { id: "t2", name: "ls", response: { output: "a.txt b.txt" } } },
    ]);
    expect(body.contents[4].parts[1]).toEqual({ inlineData: { mimeType: "image/png", data: "AAAA" } });
    expect(body.tools[0].functionDeclarations[0].parametersJsonSchema).toEqual({ type: "object", properties: { p: { type: "integer" } } });
    expect(body.toolConfig).toEqual({ functionCallingConfig: { mode: "ANY" } });
    expect(body.generationConfig).toEqual({ maxOutputTokens: 1000, thinkingConfig: { thinkingLevel: "HIGH", includeThoughts: true } });
  });

  test("Gemini 2.5 names get a thinking budget below the output cap; a recursive $ref keeps its definitions", () => {
    const { body } = hubToGeminiRequest({ ...hub, model: "gemini-2.5-flash", max_tokens: 5000 }, profile);
    expect(body.generationConfig.thinkingConfig).toEqual({ thinkingBudget: 4999, includeThoughts: true });
    const tree = {
      type: "object",
      properties: { child: { $ref: "#/$defs/Node" } },
      $defs: { Node: { type: "object", properties: { child: { $ref: "#/$defs/Node" } } } },
    };
    const out = geminiSchema(tree);
    expect(out.$defs).toEqual(tree.$defs);
    expect(JSON.stringify(out)).toContain('"$ref":"#/$defs/Node"');
  });

  test("a call left without a result is answered as interrupted, so Gemini gets as many responses as calls", () => {
    const hub = {
      model: "m",
      messages: [
        { role: "user", content: "go" },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            { id: "a", type: "function", function: { name: "f", arguments: "{}" } },
            { id: "b", type: "function", function: { name: "g", arguments: "{}" } },
          ],
        },
        { role: "tool", tool_call_id: "a", content: "1" },
        { role: "user", content: "next" },
      ],
    };
    const user = hubToGeminiRequest(hub, profile).body.contents[2];
    expect(user.parts.slice(0, 2)).toEqual([
      { functionResponse: { id: "a", name: "f", response: { output: "1" } } },
      { functionResponse: { id: "b", name: "g", response: { output: "(no result: tool call was interrupted)" } } },
    ]);
  });

  test("tool arguments that are not a JSON object are refused", () => {
    const bad = {
      model: "m",
      messages: [{ role: "assistant", content: null, tool_calls: [{ id: "x", type: "function", function: { name: "f", arguments: "[1]" } }] }],
    };
    expect(() => hubToGeminiRequest(bad, profile)).toThrow("JSON object");
  });

  test("Gemini errors: a bad key is 401, a daily quota is insufficient_quota, RetryInfo is retry-after", () => {
    const key = hubErrorOfGemini(
      {
        error: {
          code: 400,
          message: "API key not valid",
          status: "INVALID_ARGUMENT",
          details: [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "API_KEY_INVALID" }],
        },
      },
      400,
    );
    expect(key.status).toBe(401);
    const quota = hubErrorOfGemini(
      [
        {
          error: {
            code: 429,
            message: "quota",
            details: [
              { "@type": "type.googleapis.com/google.rpc.QuotaFailure", violations: [{ quotaId: "GenerateRequestsPerDayPerProjectPerModel" }] },
              { "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "34s" },
            ],
          },
        },
      ],
      429,
    );
    expect([quota.status, quota.body.error.code, quota.headers["retry-after"]]).toEqual([429, "insufficient_quota", "34"]);
    const long = hubErrorOfGemini(
      { error: { code: 400, message: "The input token count (2000000) exceeds the maximum number of tokens allowed (1048576)." } },
      400,
    );
    expect(long.body.error.code).toBe("context_length_exceeded");
  });
});

describe("the model's signatures across turns (g. state)", () => {
  test("kept by position, validator-skip values never stored, put back on the parts they came on", () => {
    const state = encodeGeminiState({ c: { "1": "sig-call-2" }, x: "sig-text", h: SKIP_SIGNATURE })!;
    expect(state).toStartWith("g.");
    expect(decodeGeminiState(state)).toEqual({ c: { "1": "sig-call-2" }, x: "sig-text", h: undefined });
    expect(decodeGeminiState("r.other-api-state")).toBeUndefined();
    expect(decodeGeminiState("g.not-json")).toBeUndefined();
    const hub = {
      model: "gemini-3-pro",
      messages: [
        { role: "user", content: "go" },
        {
          role: "assistant",
          content: "doing",
          reasoning_opaque: encodeGeminiState({ c: { "1": "sig-call-2" }, x: "sig-text", h: "sig-thought" }),
          reasoning_content: "plan",
          tool_calls: [
            { id: "a", type: "function", function: { name: "f", arguments: "{}" } },
            { id: "b", type: "function", function: { name: "g", arguments: "{}" } },
          ],
        },
        { role: "tool", tool_call_id: "a", content: "1" },
        { role: "tool", tool_call_id: "b", content: "2" },
      ],
    };
    const parts = hubToGeminiRequest(hub, profile).body.contents[1].parts;
    expect(parts).toEqual([
      { text: "plan", thought: true, thoughtSignature: "sig-thought" },
      { text: "doing", thoughtSignature: "sig-text" },
      { functionCall: { id: "a", name: "f", args: {} }, thoughtSignature: SKIP_SIGNATURE }, // the first call had none: the current turn needs one
      { functionCall: { id: "b", name: "g", args: {} }, thoughtSignature: "sig-call-2" },
    ]);
  });
});

describe("the envelope another API's state rides in through a Gemini client", () => {
  test("sealed and opened; canonical base64 (SDKs that decode and re-encode keep it); altered or foreign values are no state", () => {
    const sig = sealState("a.EqQBCkYI", "I should read it.");
    expect(sig).toStartWith("AGd3M");
    expect(Buffer.from(sig, "base64").toString("base64")).toBe(sig);
    expect(openState(sig)).toEqual({ state: "a.EqQBCkYI", text: "I should read it." });
    expect(openState(sealState("r.enc"))).toEqual({ state: "r.enc" });
    const raw = Buffer.from(sig, "base64");
    raw[6] = raw[6]! ^ 1;
    const lines: string[] = [];
    const sink = log.sink;
    log.sink = (l) => lines.push(l);
    try {
      resetEnvelopeWarnings();
      expect(openState(raw.toString("base64"))).toBeUndefined();
      for (const other of [undefined, "", "CikBcsjaf", SKIP_SIGNATURE, "AGd3M", "AGd3Mxx"]) expect(openState(other)).toBeUndefined();
    } finally {
      log.sink = sink;
    }
    expect(lines.length).toBe(1); // the altered one, once: the others were refused too, but within the same 10 s
    expect(lines[0]).toContain("thoughtSignature envelope was dropped");
    expect(lines[0]).toContain("its MAC does not hold");
  });
});

test("Gemini errors reach Claude Code in its own words: a context overflow with the numbers, overload as 529, a daily quota not retried", () => {
  const anthropic = (body: object, status: number) => {
    const hub = hubErrorOfGemini(body, status);
    return messagesFromChatError(hub.body, hub.status);
  };
  const long = anthropic(
    { error: { code: 400, message: "The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).", status: "INVALID_ARGUMENT" } },
    400,
  );
  expect([long.status, long.anthropic.message]).toEqual([400, "prompt is too long: 1200000 tokens > 1048576 maximum"]);
  expect(anthropic({ error: { code: 503, message: "The model is overloaded.", status: "UNAVAILABLE" } }, 503)).toMatchObject({
    status: 529,
    anthropic: { type: "overloaded_error" },
  });
  const daily = anthropic(
    { error: { code: 429, message: "quota", details: [{ "@type": "type.googleapis.com/google.rpc.QuotaFailure", violations: [{ quotaId: "X-PerDay" }] }] } },
    429,
  );
  expect(daily.headers?.["x-should-retry"]).toBe("false");
});
