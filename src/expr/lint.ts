// What filtrex compiles but can never do what was meant: a name the data does not have (`Modle == "x"`), a
// function that does not exist (`lenn(Model)`), an operator with nothing after it (`a > 1 and and`), and a
// single-quoted 'string' (filtrex reads it as a name, so it never equals the text). Found by one pass over
// the expression's tokens, before any request is seen.
import { EXPR_FUNCTIONS } from "./compile";

/** What an expression may refer to. */
export interface ExprScope {
  /** The data's top-level names (RawReq, Model, …). */
  roots: readonly string[];
  /** For a root whose fields are fixed (Features): the fields it has. */
  fields?: Readonly<Record<string, readonly string[]>>;
}

/** Problems (the expression cannot work) and warnings (it works, but surely not as meant). */
export interface ExprLint {
  problems: string[];
  warnings: string[];
}

/** filtrex's own functions, besides ours. */
const BUILTIN_FUNCTIONS = ["abs", "ceil", "floor", "log", "log2", "log10", "max", "min", "round", "sqrt", "exists", "empty"];
const CONSTANTS = new Set(["true", "false", "null"]);
/** Words that join two values. */
const BINARY_WORDS = new Set(["and", "or", "in", "of", "mod", "then", "else"]);
/** Symbols that join two values. */
const BINARY_SYMBOLS = new Set(["==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "%", "^", "~=", "?", ":", ","]);

type Token = { kind: "name" | "number" | "string" | "quoted" | "symbol" | "open" | "close"; text: string; at: number };

/** The tokens of an expression (names keep their dotted paths: `RawReq.a.0.b`). */
function tokenize(source: string): Token[] | string {
  const out: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === '"' || c === "'") {
      i++;
      while (i < source.length && source[i] !== c) i += source[i] === "\\" ? 2 : 1;
      if (i >= source.length) return `a ${c === '"' ? "string" : "quoted name"} starting at column ${start + 1} is never closed`;
      i++;
      out.push({ kind: c === '"' ? "string" : "quoted", text: source.slice(start + 1, i - 1), at: start });
    } else if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(source[i + 1] ?? ""))) {
      while (i < source.length && /[0-9.eE]/.test(source[i]!)) i++;
      out.push({ kind: "number", text: source.slice(start, i), at: start });
    } else if (/[A-Za-z_$]/.test(c)) {
      while (i < source.length && /[A-Za-z0-9_$.]/.test(source[i]!)) i++;
      out.push({ kind: "name", text: source.slice(start, i), at: start });
    } else if (c === "(" || c === "[") {
      i++;
      out.push({ kind: "open", text: c, at: start });
    } else if (c === ")" || c === "]") {
      i++;
      out.push({ kind: "close", text: c, at: start });
    } else {
      const two = source.slice(i, i + 2);
      const sym = ["==", "!=", "<=", ">=", "~="].includes(two) ? two : c;
      i += sym.length;
      out.push({ kind: "symbol", text: sym, at: start });
    }
  }
  return out;
}

/** Checks an expression that compiled against what its data holds. */
export function lintExpr(source: string, scope: ExprScope): ExprLint {
  const problems: string[] = [];
  const warnings: string[] = [];
  const tokens = tokenize(source);
  if (typeof tokens === "string") return { problems: [tokens], warnings };
  const functions = new Set([...Object.keys(EXPR_FUNCTIONS), ...BUILTIN_FUNCTIONS]);
  let wantValue = true; // a value must come next (start, after an operator or an opening bracket)
  let last = "the start";
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    const next = tokens[k + 1];
    const col = ` (column ${t.at + 1})`;
    const word = t.kind === "name" ? t.text : "";
    if (word === "not") {
      if (!wantValue && next?.text !== "in") problems.push(`"not" needs a value after it, or "not in"${col}`);
      continue; // unary before a value, or the first half of "not in"
    }
    if (word === "if") {
      if (!wantValue) problems.push(`an operator is missing before "if"${col}`);
      continue;
    }
    const joins = BINARY_WORDS.has(word) || (t.kind === "symbol" && BINARY_SYMBOLS.has(t.text));
    if (joins) {
      const unary = (t.text === "-" || t.text === "+") && wantValue;
      if (wantValue && !unary) problems.push(`a value is missing after ${last} and before "${t.text}"${col}`);
      wantValue = true;
      last = `"${t.text}"`;
      continue;
    }
    if (t.kind === "close") {
      if (wantValue && tokens[k - 1]?.kind !== "open") problems.push(`a value is missing before "${t.text}"${col}`);
      wantValue = false;
      last = `"${t.text}"`;
      continue;
    }
    if (!wantValue) problems.push(`an operator is missing between ${last} and "${t.kind === "string" ? `"${t.text}"` : t.text}"${col}`);
    if (t.kind === "open") {
      wantValue = true;
      last = `"${t.text}"`;
      continue;
    }
    if (t.kind === "name" && !CONSTANTS.has(word)) {
      if (next?.kind === "open" && next.text === "(") {
        if (!functions.has(word)) problems.push(`unknown function ${word}() (known: ${[...functions].join(", ")})${col}`);
        wantValue = true;
        last = `"${word}("`;
        k++; // the bracket
        continue;
      }
      if (next?.text !== "of") problems.push(...nameProblems(word, scope, col)); // `x of Y`: x is a field name, not a root
    }
    if (t.kind === "quoted" && next?.text !== "of") {
      warnings.push(`'${t.text}' is a name to filtrex, not text: write "${t.text}" (double quotes) to compare with the text${col}`);
    }
    wantValue = false;
    last = t.kind === "string" ? `"${t.text}"` : t.text;
  }
  if (tokens.length === 0) problems.push("the expression is empty");
  else if (wantValue) problems.push(`the expression ends after ${last}: a value is missing`);
  return { problems, warnings };
}

/** Problems of one dotted name: an unknown root, or an unknown field of a root with fixed fields. */
function nameProblems(name: string, scope: ExprScope, col: string): string[] {
  const [root, field] = name.split(".");
  if (!scope.roots.includes(root!)) return [`unknown name ${root} (known: ${scope.roots.join(", ")})${col}`];
  const fields = scope.fields?.[root!];
  if (fields && field !== undefined && !fields.includes(field)) return [`${root} has no ${field} (known: ${fields.join(", ")})${col}`];
  return [];
}
