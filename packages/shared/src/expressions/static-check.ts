import { SquadflowError } from '../errors.ts';
import { checkBuiltinArguments } from './builtins.ts';
import { EXPRESSION_LIMITS } from './limits.ts';
import { compileRegex } from './regex.ts';

/**
 * The registration-time check of a parsed expression: what is knowably over
 * a limit is rejected before any execution runs it, namely a regular
 * expression RE2 cannot run, a range with constant bounds over the range
 * limit, and a built-in called with constant arguments its run-time check
 * would refuse (`$pad(x, 200000000)`, a `$toMillis` picture that backtracks).
 * Throws `INVALID_EXPRESSION` naming the position.
 */
export function checkStatically(ast: unknown): void {
  const seen = new Set<object>();
  const visit = (value: unknown): void => {
    if (value === null || typeof value !== 'object' || value instanceof RegExp || seen.has(value)) return;
    seen.add(value);
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    const node = value as Node;
    if (typeof node.type === 'string') {
      try {
        checkNode(node);
      } catch (err) {
        if (!(err instanceof SquadflowError)) throw err;
        throw new SquadflowError('INVALID_EXPRESSION', `at position ${node.position ?? 0}: ${err.message}`);
      }
    }
    for (const key in node) visit((node as unknown as Record<string, unknown>)[key]);
  };
  visit(ast);
}

/** A parsed JSONata node, as far as this check reads it. */
interface Node {
  type: string;
  value?: unknown;
  position?: number;
  lhs?: Node;
  rhs?: Node;
  expression?: Node;
  procedure?: Node;
  arguments?: Node[];
}

function checkNode(node: Node): void {
  if (node.type === 'regex') compileRegex(node.value as RegExp);
  if (node.type === 'binary' && node.value === '..') {
    const lhs = constant(node.lhs);
    const rhs = constant(node.rhs);
    if (typeof lhs === 'number' && typeof rhs === 'number' && rhs - lhs + 1 > EXPRESSION_LIMITS.rangeItems) {
      throw new SquadflowError(
        'INVALID_EXPRESSION',
        `the range [${lhs}..${rhs}] has ${rhs - lhs + 1} items, over the limit of ${EXPRESSION_LIMITS.rangeItems}`,
      );
    }
  }
  if (node.type === 'function' || node.type === 'partial') checkCall(node, []);
  // `x ~> $f(a)` calls $f(x, a).
  if (node.type === 'apply' && node.rhs?.type === 'function') checkCall(node.rhs, [node.lhs]);
}

function checkCall(call: Node, leading: Array<Node | undefined>): void {
  if (call.procedure?.type !== 'variable' || typeof call.procedure.value !== 'string') return;
  checkBuiltinArguments(call.procedure.value, [...leading, ...(call.arguments ?? [])].map(constant));
}

/** The value of a literal (a negative number is `-` applied to one), or undefined. */
function constant(node: Node | undefined): unknown {
  if (!node) return undefined;
  if (node.type === 'number' || node.type === 'string') return node.value;
  if (node.type === 'unary' && node.value === '-' && node.expression?.type === 'number') return -(node.expression.value as number);
  return undefined;
}
