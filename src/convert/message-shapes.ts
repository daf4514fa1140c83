// A converter reads each message by its role: a message that is not an object with a role it knows is refused
// (400 naming it), as the upstream API would, rather than dropped without a word.
import { GatewayError } from "../core";

/** Throws 400 for the first message that is not an object with one of `roles`. */
export function checkMessageShapes(messages: unknown[], roles: readonly string[]): void {
  for (const [i, m] of messages.entries()) {
    const role = m && typeof m === "object" && !Array.isArray(m) ? (m as { role?: unknown }).role : undefined;
    if (typeof role !== "string" || !roles.includes(role))
      throw new GatewayError("invalid_request", `messages.${i}: expected an object whose role is ${roles.join(", ")}`, { param: `messages.${i}` });
  }
}
