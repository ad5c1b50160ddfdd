import jsonata from 'jsonata';
import { SquadflowError } from './errors.ts';

/**
 * The safe expression language for conditions, input mappings and correlation
 * keys: JSONata (the language AWS Step Functions adopted for the same job).
 * User strings are parsed by JSONata's own parser and run by its interpreter;
 * nothing is ever handed to `eval`, `new Function` or `vm`.
 *
 * Data model: the root (`$`) is the execution context; `$context` is the same
 * object, `$steps.<name>` is a settled step's output, `$execution` carries
 * `id` and `workflow`. So `stock_level < min_threshold`,
 * `$steps.check_inventory.available = true` and `ai_conversation_{phone}`
 * (a template) all read naturally.
 */
export interface ExpressionScope {
  context: Record<string, unknown>;
  steps: Record<string, unknown>;
  execution: { id: string; workflow: string };
  /** The execution's output, bound as `$output` (completion handoffs). */
  output?: unknown;
}

/** Upper bounds that keep a hostile expression from hanging the orchestrator. */
const MAX_DEPTH = 200;
const MAX_MS = 250;

export interface CompiledExpression {
  readonly source: string;
  evaluate(scope: ExpressionScope): Promise<unknown>;
}

const cache = new Map<string, CompiledExpression>();

/** Parses an expression (cached); throws `INVALID_EXPRESSION` naming the position. */
export function compileExpression(source: string): CompiledExpression {
  const hit = cache.get(source);
  if (hit) return hit;
  let ast: jsonata.Expression;
  try {
    // JSONata 2.x guardrails: `stack` bounds evaluation depth, `timeout` wall time, per evaluation.
    ast = jsonata(source, { stack: MAX_DEPTH, timeout: MAX_MS });
  } catch (err) {
    const e = err as { message?: string; position?: number };
    throw new SquadflowError(
      'INVALID_EXPRESSION',
      `bad expression ${JSON.stringify(source)}${e.position !== undefined ? ` at position ${e.position}` : ''}: ${e.message ?? String(err)}`,
    );
  }
  const compiled: CompiledExpression = {
    source,
    async evaluate(scope) {
      try {
        const value = await ast.evaluate(scope.context, {
          context: scope.context,
          steps: scope.steps,
          execution: scope.execution,
          output: scope.output,
        });
        return normalize(value);
      } catch (err) {
        const e = err as { message?: string };
        throw new SquadflowError('INVALID_EXPRESSION', `expression ${JSON.stringify(source)} failed: ${e.message ?? String(err)}`, [], {
          cause: err,
        });
      }
    },
  };
  if (cache.size > 10_000) cache.clear();
  cache.set(source, compiled);
  return compiled;
}

/** Evaluates a condition: JSONata truthiness is reduced to a strict boolean. */
export async function evaluateCondition(source: string, scope: ExpressionScope): Promise<boolean> {
  const value = await compileExpression(source).evaluate(scope);
  if (Array.isArray(value)) return value.length > 0;
  return Boolean(value);
}

const PLACEHOLDER = /\{([^{}]+)\}/g;

/** Checks every `{expression}` of a template; throws `INVALID_EXPRESSION`. */
export function compileTemplate(template: string): void {
  for (const match of template.matchAll(PLACEHOLDER)) compileExpression(match[1]!.trim());
}

/**
 * Renders a template such as `ai_conversation_{phone}`: each `{expr}` is
 * evaluated against the scope. A placeholder that yields nothing is an error,
 * so a missing field never produces a key like `ai_conversation_`.
 */
export async function renderTemplate(template: string, scope: ExpressionScope): Promise<string> {
  let out = '';
  let last = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    const value = await compileExpression(match[1]!.trim()).evaluate(scope);
    if (value === undefined || value === null || typeof value === 'object') {
      throw new SquadflowError('INVALID_EXPRESSION', `template ${JSON.stringify(template)}: {${match[1]}} has no scalar value`);
    }
    out += template.slice(last, match.index) + String(value);
    last = match.index + match[0].length;
  }
  return out + template.slice(last);
}

/** JSONata sequences carry extra properties; a JSON round trip makes plain data. */
function normalize(value: unknown): unknown {
  if (value === undefined || value === null || typeof value !== 'object') return value;
  return JSON.parse(JSON.stringify(value)) as unknown;
}
