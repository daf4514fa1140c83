// Compiled expressions shared by rules and rewrites.
export { compileExpr, ExprCompileError, EXPR_FUNCTIONS, type CompiledExpr } from "./compile";
export { lintExpr, type ExprScope, type ExprLint } from "./lint";
