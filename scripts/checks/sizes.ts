// Checks the size rules of the source tree: no file in src/ over 300 lines, no function over 80 lines.
// Usage: bun scripts/checks/sizes.ts   (exits 1 and lists the offenders when a rule is broken)
import { Glob } from "bun";
import ts from "typescript";

const MAX_FILE_LINES = 300;
const MAX_FUNCTION_LINES = 80;

/** Every function-like node of a file that spans more than the allowed lines. */
function longFunctions(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && "body" in node && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart()).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      if (end - start + 1 > MAX_FUNCTION_LINES) {
        const name = (node as ts.FunctionLikeDeclaration).name?.getText(source) ?? "(anonymous)";
        out.push(`${file}:${start + 1}: function ${name} has ${end - start + 1} lines (at most ${MAX_FUNCTION_LINES})`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

/** The problems of the tree under `root`. */
export async function sizeProblems(root = "."): Promise<string[]> {
  const problems: string[] = [];
  for await (const file of new Glob("src/**/*.ts").scan(root)) {
    const text = await Bun.file(`${root}/${file}`).text();
    const lines = text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
    if (lines > MAX_FILE_LINES) problems.push(`${file}: ${lines} lines (at most ${MAX_FILE_LINES})`);
    problems.push(...longFunctions(file, text));
  }
  return problems.sort();
}

if (import.meta.main) {
  const problems = await sizeProblems();
  for (const p of problems) console.error(p);
  if (problems.length) process.exit(1);
  console.log("sizes: every src file within 300 lines, every function within 80");
}
