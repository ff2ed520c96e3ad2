// A safe arithmetic expression language for LambdaLR: a tokenizer, a recursive-descent parser and a
// tree evaluator. Nothing here calls eval or Function.
export { compileExpression } from './compile-expression';
export type { CompiledExpression } from './compile-expression';
export { ExpressionError } from './expression-error';
