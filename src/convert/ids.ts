// Identifiers, tool names, signatures and tool-argument JSON across the two protocols.
import { createHash, createHmac, randomBytes } from "node:crypto";

const ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** `n` random base62 characters. */
export function randomBase62(n: number): string {
  const bytes = randomBytes(n);
  let out = "";
  for (let i = 0; i < n; i++) out += ALNUM[bytes[i]! % 62];
  return out;
}

/** Hex SHA-256 of a string. */
export function sha256hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** An id Anthropic accepts for tool_use (`^[a-zA-Z0-9_-]+$`): bad characters become `_`; none → a fresh toolu_ id. */
export function toAnthropicToolId(id: unknown): string {
  if (typeof id !== "string" || id === "") return `toolu_${randomBase62(24)}`;
  return id.replace(/[^a-zA-Z0-9_-]/g, "_");
}

const VALID_NAME = /^[a-zA-Z0-9_-]+$/;

/** Tool names shortened for OpenAI backends (≤ max chars, safe characters), and the way back. */
export class ToolNames {
  private readonly back = new Map<string, string>();

  constructor(private readonly max = 64) {}

  /** The name to send upstream; remembered for the reverse map. */
  toUpstream(name: string): string {
    if (name.length <= this.max && VALID_NAME.test(name)) return name;
    const mapped = `${name.replace(/[^a-zA-Z0-9_-]/g, "_").slice(0, this.max - 9)}_${sha256hex(name).slice(0, 8)}`;
    this.back.set(mapped, name);
    return mapped;
  }

  /** The client's original name for a name the upstream used. */
  fromUpstream(name: string): string {
    return this.back.get(name) ?? name;
  }
}

const SIGNATURE_PREFIX = "gw1.";
const secret = process.env.OCTOLLM_SIGNING_SECRET || randomBase62(32);

/** A gateway-minted signature for thinking text: "gw1." + 43 base64url chars of HMAC-SHA256. */
export function signThinking(text: string): string {
  return SIGNATURE_PREFIX + createHmac("sha256", secret).update(text).digest("base64url").slice(0, 43);
}

/** The gateway's MAC of `data` (HMAC-SHA256 with OCTOLLM_SIGNING_SECRET), for states it hands to clients to carry. */
export function gatewayMac(data: Uint8Array): Buffer {
  return createHmac("sha256", secret).update(data).digest();
}

const STATE_PREFIX = "gw2.";

/** True for a signature this gateway minted (any instance's; the prefix marks them). */
export function isGatewaySignature(signature: unknown): boolean {
  return typeof signature === "string" && (signature.startsWith(SIGNATURE_PREFIX) || signature.startsWith(STATE_PREFIX));
}

/**
 * A signature that carries another API's reasoning state (a Responses item's encrypted_content) to the next
 * turn: "gw2." + the state (base64url) + "." + an HMAC over the state and the thinking text it goes with.
 */
export function signThinkingState(text: string, state: string): string {
  const payload = Buffer.from(state).toString("base64url");
  const mac = createHmac("sha256", secret).update(`${STATE_PREFIX}${payload}\n${text}`).digest("base64url").slice(0, 43);
  return `${STATE_PREFIX}${payload}.${mac}`;
}

/** The reasoning state a gw2 signature carries, when its HMAC holds for this text (else undefined). */
export function thinkingState(signature: unknown, text: string): string | undefined {
  if (typeof signature !== "string" || !signature.startsWith(STATE_PREFIX)) return undefined;
  const [payload, mac] = signature.slice(STATE_PREFIX.length).split(".");
  if (!payload || !mac) return undefined;
  const want = createHmac("sha256", secret).update(`${STATE_PREFIX}${payload}\n${text}`).digest("base64url").slice(0, 43);
  return mac === want ? Buffer.from(payload, "base64url").toString("utf8") : undefined;
}

/** Closes what a truncated or sloppy JSON text left open and drops trailing commas; undefined when still not JSON. */
export function repairJson(raw: string): unknown {
  let text = raw
    .trim()
    .replace(/^```(?:json)?\s*/i, "")
    .replace(/\s*```$/, "");
  text = text.replace(/,\s*([}\]])/g, "$1");
  const stack: string[] = [];
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{") stack.push("}");
    else if (c === "[") stack.push("]");
    else if (c === "}" || c === "]") stack.pop();
  }
  if (inString) text += '"';
  text = text.replace(/,\s*$/, "") + stack.reverse().join("");
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Tool-call arguments as an input object: "" → {}, double-encoded JSON unwrapped, repaired when possible, else a visible marker. */
export function parseToolArguments(args: unknown): Record<string, unknown> {
  if (args !== null && typeof args === "object" && !Array.isArray(args)) return args as Record<string, unknown>;
  if (typeof args !== "string" || args.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(args);
  } catch {
    value = repairJson(args);
  }
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      // a plain string: not an object
    }
  }
  if (value !== null && typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
  return { __gateway_invalid_json__: args };
}
