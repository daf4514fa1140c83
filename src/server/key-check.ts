import { timingSafeEqual } from "node:crypto";

/** A constant-time check that a request carries `key` as Bearer or x-api-key (admin API, metrics). */
export function keyCheck(key: string): (req: Request) => boolean {
  const expected = Buffer.from(key);
  return (req) => {
    const given = req.headers.get("x-api-key") ?? /^Bearer\s+(.+)$/i.exec(req.headers.get("authorization") ?? "")?.[1]?.trim();
    if (!given) return false;
    const g = Buffer.from(given);
    return g.length === expected.length && timingSafeEqual(g, expected);
  };
}
