// API keys at rest: stored as "sha256:<hex>", never in plaintext; a presented key is hashed to look it up.

/** The prefix of a hashed key in a config or database. */
export const HASH_PREFIX = "sha256:";

/** The stored form of a key. */
export function hashApiKey(key: string): string {
  return HASH_PREFIX + new Bun.CryptoHasher("sha256").update(key).digest("hex");
}

/** True when a configured key is already a hash. */
export function isHashedKey(value: string): boolean {
  return value.startsWith(HASH_PREFIX) && /^[0-9a-f]{64}$/.test(value.slice(HASH_PREFIX.length));
}

/** A new random gateway key (192 bits, base62). */
export function newApiKey(): string {
  const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  let out = "sk-octo-";
  for (const b of bytes) out += alphabet[b % 62];
  return out;
}
