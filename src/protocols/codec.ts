// What the gateway knows about one API's wire format, in one place per API (protocols/<api>/codec.ts):
// where a request names its model, which token fields bound its cost, how errors and model lists are written,
// which headers carry the operator's key upstream, the text a request, an answer or a stream event carries (for
// moderation and estimates), and how an answer or a stream that already started is ended early. The engines ask
// the codec of the request's API (codecOf in codecs.ts) instead of testing the format themselves.
import type { Api, ApiFormat, GatewayError, LazyBody, ModelListing, Protocol } from "../core";

type Body = Record<string, any>;

/** Where a stream the client is reading stands, as far as ending it early goes (one per API's event grammar). */
export interface StreamEnding {
  /** Records an event the client received (its parsed data, when JSON) and the text it carried. */
  sent(event: Body | undefined, text: string): void;
  /** Sees any upstream event, sent or not. */
  seen(event: Body | undefined): void;
  /** The events that close the stream with `replacement` as the last text and a content-filter stop. */
  ending(replacement: string): string;
  /** The events that end the stream with an error (given as the API's error event). */
  failure(errorEvent: string): string;
}

/** How the gateway puts the operator's key on an upstream request of this API. */
export interface UpstreamAuth {
  /** The key to send (undefined: none, the client's own credentials travel instead). */
  key: string | undefined;
  /** Send an Anthropic key as `Authorization: Bearer` (gateways in front of Anthropic that want it so). */
  bearer?: boolean;
}

/** One API's wire format. */
export interface ApiCodec {
  /** The API, by the name a backend's `api:` takes. */
  readonly api: Api;
  /** The family whose error shapes and credential headers the API shares. */
  readonly family: Protocol;
  /** The paths its clients call, and the request format each one is (served by the gateway's LLM handler); a path ending in "/*" is a prefix whose format `formatOf` reads. */
  readonly routes: Readonly<Record<string, ApiFormat>>;
  /** Paths of its own model list, beside the shared /v1/models. */
  readonly listRoutes?: readonly string[];
  /** Whether a request on a path no API owns (/v1/models, an unknown path) comes from this API's clients: its errors and model list take this API's shape. */
  claims?(headers: Headers, path: string): boolean;
  /** The format of a request on one of its prefix routes (the path names the method), undefined when none is served there. */
  formatOf?(path: string): ApiFormat | undefined;
  /** The headers and path with this API's own key carriers moved where the gateway looks for keys (x-api-key); the key never stays in the path. */
  clientAuth?(headers: Headers, path: string): { headers: Headers; path: string };
  /** An upstream path template with the request's model and API version filled in (an API that names them in its path). */
  fillPath?(template: string, path: string, model: string): string;
  /** The model a request names (in the body, or in the path for Gemini). */
  model(body: LazyBody, path: string): unknown;
  /** The request's body and path naming `model` instead (a backend's upstream model name); the request given is not changed. */
  withModel(req: { body: LazyBody; path: string }, model: string): { body: LazyBody; path: string };
  /** Refuses (400) a request whose token fields are not integers within bounds; reads only those fields. */
  checkTokenFields(format: ApiFormat, body: LazyBody): void;
  /** The top-level fields `outputCap` and `choices` read (a reservation reads only these, not the whole body). */
  readonly capFields: readonly string[];
  /** The output cap a checked request asks for: undefined when it sets none, 0 for the endpoints that only count. */
  outputCap(format: ApiFormat, body: Body): number | undefined;
  /** How many answers a checked request asks for. */
  choices(body: Body): number;
  /** A gateway error as this API's answer: status and JSON body. */
  errorAnswer(err: GatewayError, requestId: string): { status: number; body: object };
  /** A gateway error as one in-stream event of this API. */
  errorEvent(err: GatewayError): string;
  /** One model in this API's shape, for GET on its model path (`/{v}/models/{name}`), when it has one. */
  modelEntry?(model: ModelListing): object;
  /** GET /v1/models in this API's shape (`query`: the request's, for an API that pages its list). */
  modelList(models: ModelListing[], createdAt: Date, query?: URLSearchParams): object;
  /** Sets the headers an upstream request of this API needs, and the operator's key where this API wants it. */
  upstreamHeaders(headers: Headers, auth: UpstreamAuth): void;
  /** A request's text as pieces, in the order the model reads them (tools and system first, then one per message). */
  requestPieces(body: Body): string[];
  /** The text of a whole answer: content, reasoning, refusals, tool-call arguments. */
  answerText(body: Body): string;
  /** The text one stream event adds. */
  eventText(event: Body): string;
  /** A whole answer with its content replaced by `replacement`, ended with a content-filter stop. */
  replacedAnswer(body: Body, replacement: string): Body;
  /** A tracker of a stream the client reads, to end it early from where it stands. */
  streamEnding(model: string): StreamEnding;
}

/** A request naming `model` in its body's `model` field (every API but a path-addressed one). */
export function modelInBody(req: { body: LazyBody; path: string }, model: string): { body: LazyBody; path: string } {
  return { body: req.body.withField("model", model), path: req.path };
}
