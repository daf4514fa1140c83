// Expressions for rules and rewrites: filtrex, with `a.b.0.c` access, true/false/null, and a few helpers.
// Compiled once at config load; evaluating never throws (a run-time failure is returned as an Error).
import { compileExpression, useDotAccessOperatorAndOptionalChaining } from "filtrex";

/** A compiled expression over a data object. */
export interface CompiledExpr {
  /** The source text. */
  source: string;
  /** Evaluates; a run-time failure comes back as an Error value, never thrown. */
  evaluate(data: object): unknown;
}

/** A compile error with the 1-based column inside the expression, when filtrex told it. */
export class ExprCompileError extends Error {
  constructor(
    message: string,
    readonly column?: number,
  ) {
    super(message);
    this.name = "ExprCompileError";
  }
}

const str = (s: unknown) => (typeof s === "string" ? s : "");

/** Helper functions every expression may call. */
export const EXPR_FUNCTIONS = {
  len: (x: unknown) => (typeof x === "string" || Array.isArray(x) ? x.length : x && typeof x === "object" ? Object.keys(x).length : 0),
  lower: (s: unknown) => str(s).toLowerCase(),
  upper: (s: unknown) => str(s).toUpperCase(),
  startsWith: (s: unknown, p: unknown) => typeof s === "string" && typeof p === "string" && s.startsWith(p),
  endsWith: (s: unknown, p: unknown) => typeof s === "string" && typeof p === "string" && s.endsWith(p),
  contains: (s: unknown, p: unknown) => (typeof s === "string" && typeof p === "string" ? s.includes(p) : Array.isArray(s) && s.includes(p)),
};

/** `==` and `!=` stay strict, except that a missing value (undefined) equals null. */
const looseNull = (a: unknown, b: unknown) => a === b || (a == null && b == null);

/** `a.b.c` with optional chaining, and `'x-name' of H` that gives undefined (not an error) when H has no such key. */
function property(name: string, get: (name: string) => unknown, obj: unknown, type: "unescaped" | "single-quoted"): unknown {
  if (type === "single-quoted") return obj !== null && typeof obj === "object" && Object.hasOwn(obj, name) ? (obj as Record<string, unknown>)[name] : undefined;
  return useDotAccessOperatorAndOptionalChaining(name, get, obj, type);
}

const OPTIONS = {
  customProp: property,
  operators: { "==": looseNull, "!=": (a: unknown, b: unknown) => !looseNull(a, b) },
  constants: { true: true, false: false, null: null },
  extraFunctions: EXPR_FUNCTIONS,
};

/** Compiles an expression; throws ExprCompileError with the column of the problem. */
export function compileExpr(source: string): CompiledExpr {
  let fn: (data: object) => unknown;
  try {
    fn = compileExpression(source, OPTIONS) as (data: object) => unknown;
  } catch (err) {
    const message = (err as Error).message;
    const caret = /\n(-*)\^/.exec(message);
    const lines = message.split("\n");
    const summary = lines.length > 3 ? lines.slice(3).join(" ").trim() : lines[0]!;
    throw new ExprCompileError(`invalid expression: ${summary || lines[0]}`, caret ? caret[1]!.length + 1 : undefined);
  }
  return {
    source,
    evaluate: (data) => {
      try {
        return fn(data);
      } catch (err) {
        return err instanceof Error ? err : new Error(String(err));
      }
    },
  };
}
