// Which APIs a backend speaks (`api`, or the older convert_to_* keys) and the engines that serve every
// client API on it: passed through when the backend speaks it, converted otherwise (docs/conversion.md).
import type { Api, ApiFormat, Engine } from "../core";
import type { BackendProfile } from "../convert";
import {
  AddedStreamUsageRemoved,
  ApiSwitchEngine,
  ChatFromMessagesEngine,
  ChatFromResponsesEngine,
  MessagesFromChatEngine,
  NoStoredResponsesEngine,
  MemoryResponseOwners,
  type ResponseOwners,
  ResponsesAffinityEngine,
  ResponsesFromChatEngine,
  ThinkingFilterEngine,
  type SearchConfig,
} from "../engines";
import type { BackendConfig, ProfileConfig } from "./schema";

/** An upstream API. */

/** The APIs a backend speaks, in preference order; undefined: whatever the client speaks (no conversion). */
export function backendApis(b: BackendConfig): Api[] | undefined {
  if (b.api !== undefined) return Array.isArray(b.api) ? b.api : [b.api];
  if (b.convert_to_messages === "from_chat") return ["openai-chat"];
  if (b.convert_to_chat === "from_messages") return ["anthropic-messages"];
  return undefined;
}

/** A profile from config keys (snake_case) to the converters' fields. */
export function profileFromConfig(p: ProfileConfig = {}): Partial<BackendProfile> {
  const out: Partial<BackendProfile> = {
    maxTokensField: p.max_tokens_field,
    maxOutputTokens: p.max_output_tokens,
    streamUsage: p.stream_usage,
    reasoningParam: p.reasoning_param,
    reasoningHistory: p.reasoning_history,
    thinkTags: p.think_tags,
    vision: p.vision,
    pdf: p.pdf,
    toolNameMax: p.tool_name_max,
    assistantNullContent: p.assistant_null_content,
    parallelToolCallsParam: p.parallel_tool_calls_param,
    topK: p.top_k,
    fixedTemperature: p.fixed_temperature,
    maxStop: p.max_stop,
    safetyIdentifier: p.safety_identifier,
    toolStreaming: p.tool_streaming,
    pingIntervalMs: p.ping_interval_ms,
    passCacheControl: p.pass_cache_control,
    lengthFinish: p.length_finish,
    storeTrue: p.store_true,
    hostedTools: p.hosted_tools,
  };
  for (const k of Object.keys(out) as (keyof BackendProfile)[]) if (out[k] === undefined) delete out[k];
  return out;
}

/** The search service of a profile's web_search, in the engine's terms. */
function searchConfig(ws: ProfileConfig["web_search"]): SearchConfig | undefined {
  return (
    ws && {
      provider: ws.provider,
      url: ws.url,
      apiKey: ws.api_key,
      maxResults: ws.max_results,
      timeoutMs: ws.timeout_ms,
      maxPerRequest: ws.max_searches_per_request,
      maxPerTurn: ws.max_searches_per_turn,
    }
  );
}

/** The engine that serves every client API on `upstream`, a backend speaking `apis` (the mock speaks chat: the rest is converted). */
export function conversionEngine(b: BackendConfig, upstream: Engine, affinity: ResponseOwners = new MemoryResponseOwners()): Engine {
  const apis = b.provider === "mock" ? (["openai-chat"] as Api[]) : backendApis(b); // the mock answers in the hub's form; conversion does the rest
  const profile = profileFromConfig(b.profile);
  const toMessages = (carryState = false) =>
    new ChatFromMessagesEngine(upstream, {
      defaultMaxTokens: b.profile?.max_output_tokens,
      pingIntervalMs: b.profile?.ping_interval_ms,
      structuredOutput: b.profile?.structured_output,
      carryState,
    });
  const passAnthropic = new ThinkingFilterEngine(upstream);
  // a chat backend that refuses stream_options gets none the gateway added
  const passChat = b.profile?.stream_usage === false ? new AddedStreamUsageRemoved(upstream) : upstream;
  if (apis === undefined) {
    // no api given: every request in its own API
    const stored = new ResponsesAffinityEngine(upstream, affinity);
    return new ApiSwitchEngine(
      { ...same(passAnthropic), "openai.chat": passChat, "openai.responses": stored, "openai.responses.item": stored, ...responsesExtras(upstream) },
      ["any"],
    );
  }
  const routes: Partial<Record<ApiFormat, Engine>> = {};
  const speaks = (api: Api) => apis.includes(api);
  const target = apis[0]!; // a request in an API the backend does not speak is converted to the first listed
  // the chat form in front of a Responses backend: reasoning efforts as reasoning_effort, reasoning state kept
  const toResponses = (carryState: boolean) => new ChatFromResponsesEngine(upstream, profile, carryState);
  const overResponses = { ...profile, reasoningParam: "reasoning_effort" as const, reasoningState: true };
  // Anthropic clients
  if (speaks("anthropic-messages")) routes["anthropic.messages"] = routes["anthropic.count_tokens"] = passAnthropic;
  else if (target === "openai-chat")
    routes["anthropic.messages"] = routes["anthropic.count_tokens"] = new MessagesFromChatEngine(upstream, profile, searchConfig(b.profile?.web_search));
  else
    routes["anthropic.messages"] = routes["anthropic.count_tokens"] = new MessagesFromChatEngine(
      toResponses(true),
      overResponses,
      searchConfig(b.profile?.web_search),
    );
  // OpenAI chat clients
  if (speaks("openai-chat")) routes["openai.chat"] = passChat;
  else routes["openai.chat"] = target === "anthropic-messages" ? toMessages() : toResponses(false);
  // Responses clients
  if (speaks("openai-responses")) {
    routes["openai.responses"] = routes["openai.responses.item"] = new ResponsesAffinityEngine(upstream, affinity);
    Object.assign(routes, responsesExtras(upstream));
  } else {
    const responses = new ResponsesFromChatEngine(target === "openai-chat" ? upstream : toMessages(true), profile);
    routes["openai.responses"] = responses;
    routes["openai.responses.item"] = new NoStoredResponsesEngine();
    Object.assign(routes, responsesExtras(responses));
  }
  return new ApiSwitchEngine(routes, apis);
}

/** input_tokens and compact go where Responses requests go. */
function responsesExtras(engine: Engine): Partial<Record<ApiFormat, Engine>> {
  return { "openai.responses.input_tokens": engine, "openai.responses.compact": engine };
}

function same(engine: Engine): Partial<Record<ApiFormat, Engine>> {
  return { "openai.chat": engine, "anthropic.messages": engine, "anthropic.count_tokens": engine };
}
