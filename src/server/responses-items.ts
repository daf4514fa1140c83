// GET / DELETE /v1/responses/{id}, POST /v1/responses/{id}/cancel, GET /v1/responses/{id}/input_items: stored
// responses of a backend that speaks the Responses API. These requests name no model, so the model comes from
// where the gateway saw the id answered, from x-octollm-model, or from the only model that can store responses;
// then they go through the whole engine chain (auth, access, rules, limits) like any other request.
import { GatewayError, LazyBody, responseItemPath, toGatewayError, type Engine } from "../core";
import type { AccessLog } from "./access-log";
import { type RouteHandler, newExchange } from "./handler";
import { engineResponse, errorResponse } from "./respond";

const METHODS: Record<string, string[]> = { "": ["GET", "DELETE"], "/cancel": ["POST"], "/input_items": ["GET"] };

/** The handler of the item endpoints; `model` resolves the model a response id goes to. */
export function responsesItemHandler(
  engine: () => Engine,
  model: (id: string, headers: Headers) => Promise<string | undefined> | undefined,
  log: AccessLog,
): RouteHandler {
  return async (req) => {
    const x = { ...newExchange(req, "openai", log), format: "openai.responses.item" as const };
    try {
      const m = responseItemPath(new URL(req.url).pathname);
      if (!m) throw new GatewayError("not_found", `no route for ${req.method} ${x.path.split("?")[0]}`, { code: "not_found" });
      const allowed = METHODS[m.sub]!;
      if (!allowed.includes(req.method))
        throw new GatewayError("method_not_allowed", `method ${req.method} is not allowed here (allowed: ${allowed.join(", ")})`, {
          headers: { allow: allowed.join(", ") },
        });
      const name = await model(m.id, req.headers);
      if (!name) {
        throw new GatewayError("not_found", `No stored response '${m.id}' is known to this gateway; send x-octollm-model to name its model`, {
          code: "response_not_found",
        });
      }
      const method = req.method as "GET" | "DELETE" | "POST";
      const res = await engine().process({
        format: "openai.responses.item",
        method,
        path: x.path,
        headers: req.headers,
        body: LazyBody.fromValue({ model: name }),
        signal: req.signal,
        ctx: x.ctx,
      });
      return await engineResponse(x, res);
    } catch (err) {
      return errorResponse(x, toGatewayError(err));
    }
  };
}
