// A conversion in two halves that meet at the hub (the chat form, protocols/openai-chat/hub.ts): each API writes
// a client half (its clients served from the hub) and a backend half (the hub served from a backend of it), and
// the ConversionEngine runs one of each, so every pair of APIs is the same engine (conversion-engine.ts).
import type { Api, ApiFormat, LLMRequest, LLMResponse, Protocol } from "../../../core";
import type { BackendProfile } from "../../../convert";
import type { SearchConfig } from "../../web-search";
import type { StreamConverter } from "../event-stream";

type Body = Record<string, any>;

/** Sends a hub request (the chat form) to the backend; the answer is the hub's: a completion, its chunks, or an OpenAI error. */
export type HubCall = (body: Body) => Promise<LLMResponse>;

/** What a conversion's halves are made from: the backend's profile and the services some APIs' clients need. */
export interface HalfOptions {
  /** The backend's capability profile (for a client half: the profile of the hub in front of the backend). */
  profile: BackendProfile;
  /** The search service Anthropic's web_search server tool runs on (without one, that tool is refused). */
  search?: SearchConfig;
  /** How a json_schema response_format is asked of an Anthropic backend (default output_config). */
  structuredOutput?: "output_config" | "tool";
}

/** One API's clients served from the hub; `C` is one exchange's own state. */
export interface ClientHalf<C> {
  /** The API whose clients it serves. */
  readonly api: Api;
  /** The request formats this half converts; the API's other formats go to `own`, any other passes on. */
  readonly formats: readonly ApiFormat[];
  /** The stage's name in debug logs. */
  readonly name: string;
  /** Answers one of the API's other formats locally (token counts), or undefined when it is not one of them. */
  own?(req: LLMRequest): LLMResponse | undefined;
  /** The hub request for a client's request and the exchange's state; `answer` when the backend need not be asked. */
  request(req: LLMRequest): { body: Body; state: C; answer?: LLMResponse };
  /** Whether the client asked for a stream. */
  streams(state: C): boolean;
  /** Work before the backend is asked (a search whose results the model reads); the hub request to send. */
  prepare?(body: Body, state: C, req: LLMRequest): Promise<Body>;
  /** Runs the exchange with the backend itself (a loop of turns), or undefined for one plain call. */
  run?(body: Body, state: C, call: HubCall, req: LLMRequest): Promise<LLMResponse> | undefined;
  /** A hub error answer (OpenAI's shape, the upstream's status) as this API's. */
  error(res: LLMResponse, state: C): Promise<LLMResponse>;
  /** The converter of hub chunks to this API's stream events (undefined: the client reads the hub's own chunks). */
  converter(state: C): StreamConverter | undefined;
  /** A whole hub answer as this API's answer (JSON, or the events carrying it when the client streams). */
  whole(res: LLMResponse, state: C): Promise<LLMResponse>;
  /** The converted events of a stream the backend sent a client that did not ask for one, as one answer. */
  gathered(events: string, state: C): LLMResponse;
  /** Last touches on every answer of an exchange (request id headers). */
  finish?(res: LLMResponse, state: C): LLMResponse;
}

/** The hub served from a backend of one API; `C` is one exchange's own state. */
export interface BackendHalf<C extends { requestedModel: string }> {
  /** The request format the backend is sent. */
  readonly format: ApiFormat;
  /** Whose client headers go with it. */
  readonly family: Protocol;
  /** The stage's name in debug logs. */
  readonly name: string;
  /** The profile client halves above see: what the hub in front of this backend accepts. */
  hubProfile(profile: BackendProfile): BackendProfile;
  /** The upstream path of the backend's request, when the API names its model there (Gemini); else the client's path, without its query. */
  path?(hub: Body): string;
  /** The backend's request for a hub request; `carryState` when a client half sits above (state for it, never for a client). */
  request(body: Body, carryState: boolean): { body: Body; ctx: C };
  /** The backend's error answer as the hub's (OpenAI's shape), keeping its status and retry advice. */
  error(res: LLMResponse): Promise<LLMResponse>;
  /** The converter of the backend's stream events to hub chunks. */
  converter(state: C): StreamConverter;
  /** A whole answer of the backend as a hub completion. */
  answer(parsed: Body, state: C): Body;
}
