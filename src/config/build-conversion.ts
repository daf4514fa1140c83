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
  profileFromConfig,
  searchConfig,
} from "../engines";
import type { BackendConfig } from "./schema";

/** The APIs a backend speaks, in preference order; undefined: whatever the client speaks (no conversion). */
export function backendApis(b: BackendConfig): Api[] | undefined {
  if (b.api !== undefined) return Array.isArray(b.api) ? b.api : [b.api];
  if (b.convert_to_messages === "from_chat") return ["openai-chat"];
  if (b.convert_to_chat === "from_messages") return ["anthropic-messages"];
  return undefined;
}

/** What the engines of one backend are built from. */
interface Setup {
  upstream: Engine;
  b: BackendConfig;
  profile: Partial<BackendProfile>;
  affinity: ResponseOwners;
}

/** The chat form (the hub) served from a backend: the engine, and the profile the client halves above it use. */
interface Hub {
  engine: Engine;
  profile: Partial<BackendProfile>;
}

/** One API as the conversion sees it: its clients passed to a backend that speaks it, or served through the hub. */
interface ApiConversion {
  /** The engines that pass this API's requests to a backend speaking it. */
  pass(s: Setup): Partial<Record<ApiFormat, Engine>>;
  /** The engines that serve this API's clients from the hub (a chat-form engine). */
  fromHub(hub: Hub, s: Setup): Partial<Record<ApiFormat, Engine>>;
  /** The hub served from a backend of this API; `carryState` when a client half sits above (state for it, never for a client). */
  toHub(s: Setup, carryState: boolean): Hub;
}

/** Every API's row: a Record, so a new API does not compile until it says how it passes and converts. */
const CONVERSIONS: Readonly<Record<Api, ApiConversion>> = {
  "openai-chat": {
    // a chat backend that refuses stream_options gets none the gateway added
    pass: ({ upstream, b }) => ({ "openai.chat": b.profile?.stream_usage === false ? new AddedStreamUsageRemoved(upstream) : upstream }),
    fromHub: (hub) => ({ "openai.chat": hub.engine }),
    toHub: ({ upstream, profile }) => ({ engine: upstream, profile }),
  },
  "anthropic-messages": {
    pass: ({ upstream }) => both(["anthropic.messages", "anthropic.count_tokens"], new ThinkingFilterEngine(upstream)),
    fromHub: (hub, { b }) =>
      both(["anthropic.messages", "anthropic.count_tokens"], new MessagesFromChatEngine(hub.engine, hub.profile, searchConfig(b.profile?.web_search))),
    toHub: ({ upstream, b, profile }, carryState) => ({
      engine: new ChatFromMessagesEngine(upstream, {
        defaultMaxTokens: b.profile?.max_output_tokens,
        pingIntervalMs: b.profile?.ping_interval_ms,
        structuredOutput: b.profile?.structured_output,
        carryState,
      }),
      profile,
    }),
  },
  "openai-responses": {
    pass: ({ upstream, affinity }) => {
      const stored = new ResponsesAffinityEngine(upstream, affinity);
      return { "openai.responses": stored, "openai.responses.item": stored, ...responsesExtras(upstream) };
    },
    fromHub: (hub) => {
      const responses = new ResponsesFromChatEngine(hub.engine, hub.profile);
      return { "openai.responses": responses, "openai.responses.item": new NoStoredResponsesEngine(), ...responsesExtras(responses) };
    },
    // the chat form in front of a Responses backend: reasoning efforts as reasoning_effort, reasoning state kept
    toHub: ({ upstream, profile }, carryState) => ({
      engine: new ChatFromResponsesEngine(upstream, profile, carryState),
      profile: { ...profile, reasoningParam: "reasoning_effort", reasoningState: true },
    }),
  },
};

/**
 * The engine that serves every client API on `upstream`, a backend speaking `apis`: a request in an API the
 * backend speaks passes; any other is converted through the hub to the first API listed (the mock speaks chat).
 */
export function conversionEngine(b: BackendConfig, upstream: Engine, affinity: ResponseOwners = new MemoryResponseOwners()): Engine {
  const apis = b.provider === "mock" ? (["openai-chat"] as Api[]) : backendApis(b); // the mock answers in the hub's form; conversion does the rest
  const setup: Setup = { upstream, b, profile: profileFromConfig(b.profile), affinity };
  const clients = Object.keys(CONVERSIONS) as Api[];
  const routes: Partial<Record<ApiFormat, Engine>> = {};
  if (apis === undefined) {
    // no api given: every request in its own API
    for (const api of clients) Object.assign(routes, CONVERSIONS[api].pass(setup));
    return new ApiSwitchEngine(routes, ["any"]);
  }
  const target = apis[0]!;
  for (const api of clients) {
    if (apis.includes(api)) Object.assign(routes, CONVERSIONS[api].pass(setup));
    else Object.assign(routes, CONVERSIONS[api].fromHub(CONVERSIONS[target].toHub(setup, api !== "openai-chat"), setup));
  }
  return new ApiSwitchEngine(routes, apis);
}

/** input_tokens and compact go where Responses requests go. */
function responsesExtras(engine: Engine): Partial<Record<ApiFormat, Engine>> {
  return { "openai.responses.input_tokens": engine, "openai.responses.compact": engine };
}

/** One engine for several formats. */
function both(formats: ApiFormat[], engine: Engine): Partial<Record<ApiFormat, Engine>> {
  return Object.fromEntries(formats.map((f) => [f, engine]));
}
