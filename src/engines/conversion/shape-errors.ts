// A converter walks the client's request and the upstream's answer; a shape it did not expect (a null where
// an object goes, a string where a list goes) must not become a 500. A request is the client's mistake (400),
// an answer the upstream's (502).
import { GatewayError } from "../../core";

function converting<T>(fn: () => T, kind: "invalid_request" | "upstream_unavailable", what: string): T {
  const shapeError = (err: unknown): never => {
    if (err instanceof GatewayError) throw err;
    throw new GatewayError(kind, `${what} has an unexpected shape: ${(err as Error)?.message ?? err}`, {
      cause: err,
      ...(kind === "upstream_unavailable" ? { status: 502 } : {}),
    });
  };
  try {
    const out = fn();
    return out instanceof Promise ? (out.catch(shapeError) as T) : out;
  } catch (err) {
    return shapeError(err);
  }
}

/** Runs a request conversion; a failure that is not a GatewayError is a 400. */
export function convertRequest<T>(fn: () => T): T {
  return converting(fn, "invalid_request", "request body");
}

/** Runs an answer conversion (sync or async); a failure that is not a GatewayError is a 502. */
export function convertAnswer<T>(fn: () => T): T {
  return converting(fn, "upstream_unavailable", "upstream answer");
}
