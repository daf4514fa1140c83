// Which APIs a backend speaks (`api`, or the older convert_to_* keys) and the engines that serve every
// client API on it: passed through when the backend speaks it, converted otherwise (docs/conversion.md).
import type { Api, ApiFormat, Engine } from "../core";
import {
  AddedStreamUsageRemoved,
  ApiSwitchEngine,
  ConversionEngine,
  GeminiStateFilterEngine,
  NoStoredResponsesEngine,
  MemoryResponseOwners,
  type ResponseOwners,
  ResponsesAffinityEngine,
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
  affinity: ResponseOwners;
}

/** One API as the conversion sees it: its requests passed to a backend that speaks it, or converted for it. */
interface ApiConversion {
  /** The engines that pass this API's requests to a backend speaking it. */
  pass(s: Setup): Partial<Record<ApiFormat, Engine>>;
  /** The formats of this API a conversion serves (beside the ones `also` answers). */
  formats: ApiFormat[];
  /** Engines for formats no conversion serves (stored Responses items: none are stored on a converted route). */
  also?(): Partial<Record<ApiFormat, Engine>>;
}

/** Every API's row: a Record, so a new API does not compile until it says how it passes and which formats convert. */
const GEMINI_FORMATS: ApiFormat[] = ["gemini.generate", "gemini.stream", "gemini.count_tokens"];

/** input_tokens and compact go where Responses requests go. */
const RESPONSES_EXTRAS: ApiFormat[] = ["openai.responses.input_tokens", "openai.responses.compact"];

const CONVERSIONS: Readonly<Record<Api, ApiConversion>> = {
  "openai-chat": {
    // a chat backend that refuses stream_options gets none the gateway added
    pass: ({ upstream, b }) => ({ "openai.chat": b.profile?.stream_usage === false ? new AddedStreamUsageRemoved(upstream) : upstream }),
    formats: ["openai.chat"],
  },
  "anthropic-messages": {
    pass: ({ upstream }) => both(["anthropic.messages", "anthropic.count_tokens"], new ThinkingFilterEngine(upstream)),
    formats: ["anthropic.messages", "anthropic.count_tokens"],
  },
  "openai-responses": {
    pass: ({ upstream, affinity }) => {
      const stored = new ResponsesAffinityEngine(upstream, affinity);
      return { "openai.responses": stored, "openai.responses.item": stored, ...both(RESPONSES_EXTRAS, upstream) };
    },
    formats: ["openai.responses", ...RESPONSES_EXTRAS],
    also: () => ({ "openai.responses.item": new NoStoredResponsesEngine() }),
  },
  "google-gemini": {
    pass: ({ upstream }) => both(GEMINI_FORMATS, new GeminiStateFilterEngine(upstream)),
    formats: GEMINI_FORMATS,
  },
};

/**
 * The engine that serves every client API on `upstream`, a backend speaking `apis`: a request in an API the
 * backend speaks passes; any other is converted through the hub to the first API listed (the mock speaks chat).
 */
export function conversionEngine(b: BackendConfig, upstream: Engine, affinity: ResponseOwners = new MemoryResponseOwners()): Engine {
  const apis = b.provider === "mock" ? (["openai-chat"] as Api[]) : backendApis(b); // the mock answers in the hub's form; conversion does the rest
  const setup: Setup = { upstream, b, affinity };
  const clients = Object.keys(CONVERSIONS) as Api[];
  const routes: Partial<Record<ApiFormat, Engine>> = {};
  if (apis === undefined) {
    // no api given: every request in its own API
    for (const api of clients) Object.assign(routes, CONVERSIONS[api].pass(setup));
    return new ApiSwitchEngine(routes, ["any"]);
  }
  const target = apis[0]!;
  const opts = { profile: profileFromConfig(b.profile), search: searchConfig(b.profile?.web_search), structuredOutput: b.profile?.structured_output };
  for (const api of clients) {
    const row = CONVERSIONS[api];
    if (apis.includes(api)) Object.assign(routes, row.pass(setup));
    else Object.assign(routes, both(row.formats, new ConversionEngine(upstream, api, target, opts)), row.also?.());
  }
  return new ApiSwitchEngine(routes, apis);
}

/** One engine for several formats. */
function both(formats: ApiFormat[], engine: Engine): Partial<Record<ApiFormat, Engine>> {
  return Object.fromEntries(formats.map((f) => [f, engine]));
}
