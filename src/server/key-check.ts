import { sameSecret } from "../core";

/** A constant-time check that a request carries `key` as Bearer or x-api-key (admin API, metrics). */
export function keyCheck(key: string): (req: Request) => boolean {
  return (req) => {
    const given = req.headers.get("x-api-key") ?? /^Bearer\s+(.+)$/i.exec(req.headers.get("authorization") ?? "")?.[1]?.trim();
    return given !== undefined && given !== "" && sameSecret(given, key);
  };
}
