import { concatBytes } from "./bytes";
import { GatewayError } from "./errors";
import { indexTopLevel, type TopLevelIndex } from "./json-scan";

const encoder = new TextEncoder();

/** A value none of whose parts can be changed through it (`any` stays `any`: an untyped read is the caller's own). */
export type DeepReadonly<T> = 0 extends 1 & T
  ? T
  : T extends (infer U)[]
    ? readonly DeepReadonly<U>[]
    : T extends (...args: never) => unknown
      ? T
      : T extends object
        ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
        : T;

/**
 * A JSON body that keeps the bytes it came as. It parses on first access and caches the value. A body is a value:
 * an engine that changes a request makes a new body (`fromValue`, `withField`), so a request that no engine
 * changed reaches the upstream as the very bytes the client sent.
 */
export class LazyBody {
  private bytes: Uint8Array | undefined;
  private value: unknown;
  private parsed = false;
  private index: TopLevelIndex | null | undefined;

  private constructor(bytes: Uint8Array | undefined, value: unknown, parsed: boolean) {
    this.bytes = bytes;
    this.value = value;
    this.parsed = parsed;
  }

  /** A body over bytes received from the wire. */
  static fromBytes(bytes: Uint8Array): LazyBody {
    return new LazyBody(bytes, undefined, false);
  }

  /** A body built in code; it is serialized when its bytes are first asked for. */
  static fromValue(value: unknown): LazyBody {
    return new LazyBody(undefined, value, true);
  }

  /** The parsed value (parsed once); malformed JSON throws an invalid_request GatewayError. */
  json<T = any>(): DeepReadonly<T> {
    if (!this.parsed) {
      try {
        this.value = JSON.parse(new TextDecoder().decode(this.bytes));
      } catch (err) {
        throw new GatewayError("invalid_request", `request body is not valid JSON: ${(err as Error).message}`, { cause: err });
      }
      this.parsed = true;
    }
    return this.value as DeepReadonly<T>;
  }

  /** The bytes to send: the originals, or the value built in code, serialized once. */
  bytesOut(): Uint8Array {
    this.bytes ??= encoder.encode(JSON.stringify(this.value));
    return this.bytes;
  }

  /**
   * Refuses (400) a root object that holds a key twice: the gateway and the upstream could read different
   * values (routing one model, serving another). One pass over the top level; the index it builds serves `field`.
   */
  checkKeys(): void {
    if (this.parsed || !this.bytes) return;
    this.index ??= indexTopLevel(this.bytes);
    const dup = this.index?.duplicate;
    if (dup !== undefined) {
      throw new GatewayError("invalid_request", `request body has the key "${dup.slice(0, 64)}" more than once`, { param: dup.slice(0, 64) });
    }
  }

  /** A top-level field, read from the top-level index when the body was not parsed yet. */
  field(key: string): unknown {
    if (this.parsed) return (this.value as Record<string, unknown> | null)?.[key];
    this.index ??= indexTopLevel(this.bytes!);
    if (this.index === null) return (this.json() as Record<string, unknown> | null)?.[key]; // throws on malformed JSON
    const at = this.index.fields.get(key);
    if (at === undefined) return undefined;
    try {
      return JSON.parse(new TextDecoder().decode(this.bytes!.subarray(at[0], at[1])));
    } catch (err) {
      throw new GatewayError("invalid_request", `request body is not valid JSON at "${key}"`, { cause: err });
    }
  }

  /** Whether a top-level field is a non-empty array, read from the raw bytes when the body was not parsed (no tree built). */
  holdsItems(key: string): boolean {
    if (this.parsed || !this.bytes) {
      const v = (this.value as Record<string, unknown> | null)?.[key];
      return Array.isArray(v) && v.length > 0;
    }
    this.index ??= indexTopLevel(this.bytes);
    if (this.index === null) return false;
    const at = this.index.fields.get(key);
    if (at === undefined || this.bytes[at[0]] !== 0x5b) return false; // not an array
    for (let i = at[0] + 1; i < at[1]; i++) {
      const c = this.bytes[i]!;
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return c !== 0x5d; // the first thing in it is not its end
    }
    return false;
  }

  /**
   * A new body with one top-level field set (this one is not changed). Unparsed bytes are spliced where the
   * field's value is (or the field is added first), so a large body is not parsed and written again.
   */
  withField(key: string, value: unknown): LazyBody {
    const raw = encoder.encode(JSON.stringify(value));
    if (!this.parsed) {
      this.index ??= indexTopLevel(this.bytes!);
      const at = this.index?.fields.get(key);
      const bytes = this.bytes!;
      if (at) return LazyBody.fromBytes(concatBytes([bytes.subarray(0, at[0]), raw, bytes.subarray(at[1])]));
      if (this.index) {
        const open = bytes.indexOf(0x7b); // the object's "{"
        const head = encoder.encode(`${JSON.stringify(key)}:`);
        const tail = this.index.fields.size ? [encoder.encode(","), bytes.subarray(open + 1)] : [bytes.subarray(open + 1)];
        return LazyBody.fromBytes(concatBytes([bytes.subarray(0, open + 1), head, raw, ...tail]));
      }
    }
    const current = this.json<Record<string, unknown>>();
    return LazyBody.fromValue({ ...current, [key]: value });
  }

  /** Size in bytes of what would be sent now. */
  get size(): number {
    return this.bytesOut().byteLength;
  }
}
