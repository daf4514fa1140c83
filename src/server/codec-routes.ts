// Every API's client paths, from its codec: an exact path serves one format; a prefix path (Gemini's
// /{v}/models/*) serves the format its method names, and GET there answers one model in the API's shape.
import { GatewayError, type ApiFormat } from "../core";
import { allCodecs, type ApiCodec } from "../protocols";
import type { AccessLog } from "./access-log";
import { llmHandler, newExchange, pathOf, type HandlerOptions } from "./handler";
import { errorResponse, jsonResponse } from "./respond";
import type { GatewayState, Route } from "./server";

/** The routes of every codec, served by the LLM handler on the state's root engine. */
export function codecRoutes(state: () => GatewayState, handlerOpts: HandlerOptions, log: AccessLog): Record<string, Route> {
  const root = () => state().root;

  /** GET /{v}/models/{name}: one model the caller may use, in the codec's shape, or 404. */
  const oneModel = (req: Request, codec: ApiCodec) => {
    const x = newExchange(req, codec.family, log);
    const path = pathOf(req.url).split("?")[0]!;
    let name = path.slice(path.indexOf("/models/") + 8);
    try {
      name = decodeURIComponent(name);
    } catch {}
    const found = state()
      .listModels(req.headers)
      .find((m) => m.id === name);
    if (!found) return errorResponse(x, new GatewayError("not_found", `models/${name.slice(0, 200)} is not found`, { code: "not_found" }));
    return jsonResponse(x, codec.modelEntry!(found));
  };

  /** A codec's route: one format's handler, or on a prefix route the handler of the format the path names. */
  const codecRoute = (codec: ApiCodec, path: string, format: ApiFormat): Route => {
    if (!path.endsWith("/*") || !codec.formatOf) return llmHandler(format, root, handlerOpts);
    const handlers = new Map<ApiFormat, Route>();
    return (req, server) => {
      if (req.method === "GET" && codec.modelEntry) return oneModel(req, codec);
      const named = codec.formatOf!(pathOf(req.url));
      if (!named)
        return errorResponse(
          newExchange(req, codec.family, log),
          new GatewayError("not_found", `no method served at ${pathOf(req.url).split("?")[0]!.slice(0, 200)}`),
        );
      let handler = handlers.get(named);
      if (!handler) handlers.set(named, (handler = llmHandler(named, root, handlerOpts)));
      return handler(req, server);
    };
  };

  return Object.fromEntries(allCodecs().flatMap((c) => Object.entries(c.routes).map(([path, format]) => [path, codecRoute(c, path, format)])));
}
