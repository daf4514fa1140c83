// Field builders of the config schema that engines share with the config (each engine folder owns its own part).
import * as v from "valibot";

/** The type error of a secret field: it never echoes the value (a YAML number would otherwise be printed back). */
export const SECRET_TYPE_MESSAGE = "must be a string: quote it (the value is not shown)";

/** True for an http:// or https:// URL with a host (the only URLs an upstream, proxy or service may have). */
export function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return (u.protocol === "http:" || u.protocol === "https:") && u.hostname.length > 0;
  } catch {
    return false;
  }
}
/** An optional http(s) URL field. */
export const httpUrl = (what: string) =>
  v.optional(v.pipe(v.string(), v.check(isHttpUrl, "must be an http:// or https:// URL with a host"), v.description(what)));
/** An optional secret string field (its type error never echoes the value). */
export const secret = (what: string) => v.optional(v.pipe(v.string(SECRET_TYPE_MESSAGE), v.description(what)));
