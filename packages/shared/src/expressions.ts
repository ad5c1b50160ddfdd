import jsonata from 'jsonata';
import { SquadflowError } from './errors.ts';
import { guardedBuiltins } from './expressions/builtins.ts';
import { cappedRange, ENTRY_HOOK, EXIT_HOOK, onEntry, onExit, RANGE_FUNCTION } from './expressions/guards.ts';
import { EXPRESSION_LIMITS } from './expressions/limits.ts';
import { Re2RegexEngine } from './expressions/regex.ts';
import { checkStatically } from './expressions/static-check.ts';
import { isFunctionValue, toPlainJson } from './expressions/value-size.ts';

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

/**
 * The options every expression is compiled with: JSONata's own depth
 * guardrail and RE2 for regexes. No wall-clock timeout: the step and regex
 * budgets of the guards bound an evaluation's work the same way on a busy,
 * paused or idle machine, where a clock made a trivial expression fail when
 * the process was descheduled or stopped mid-evaluation.
 */
const OPTIONS: jsonata.JsonataOptions = {
  stack: EXPRESSION_LIMITS.depth,
  RegexEngine: Re2RegexEngine as unknown as RegExpConstructor,
};
/** Longest piece of an expression or of JSONata's message quoted in an error, so errors stay loggable. */
const QUOTE_CHARS = 200;

export interface CompiledExpression {
  readonly source: string;
  evaluate(scope: ExpressionScope): Promise<unknown>;
}

/**
 * A parsed expression with the guards of docs/definitions.md ("Limits"):
 * hooks around every node, the capped range, the checked built-ins, and a
 * result copied to plain JSON within the size limit.
 */
class GuardedExpression implements CompiledExpression {
  #armed = false;

  constructor(
    readonly source: string,
    private readonly expression: jsonata.Expression,
  ) {
    // Symbols are valid binding names to JSONata (its hooks are looked up by symbol); its types say string.
    expression.assign(ENTRY_HOOK as unknown as string, onEntry);
    expression.assign(EXIT_HOOK as unknown as string, onExit);
    expression.assign(RANGE_FUNCTION, cappedRange);
  }

  async evaluate(scope: ExpressionScope): Promise<unknown> {
    const value = await this.evaluateRaw(scope);
    try {
      return toPlainJson(value, EXPRESSION_LIMITS.valueSize);
    } catch (err) {
      throw this.failure(err);
    }
  }

  /** The value as JSONata returns it (sequences and all), for callers that only test it. */
  async evaluateRaw(scope: ExpressionScope): Promise<unknown> {
    if (!this.#armed) {
      for (const [name, fn] of await guardedBuiltins()) this.expression.assign(name, fn);
      this.#armed = true;
    }
    try {
      return await this.expression.evaluate(scope.context, {
        context: scope.context,
        steps: scope.steps,
        execution: scope.execution,
        output: scope.output,
      });
    } catch (err) {
      throw this.failure(err);
    }
  }

  /**
   * A failed evaluation as a typed error naming the expression:
   * `EXPRESSION_LIMIT` for a limit (ours, JSONata's depth and time
   * guardrails, or V8's RangeError for a string or stack grown past what it
   * allows), `INVALID_EXPRESSION` for anything else.
   */
  private failure(err: unknown): SquadflowError {
    const e = err as { message?: string };
    const limit = causes(err).some(isLimit);
    return new SquadflowError(
      limit ? 'EXPRESSION_LIMIT' : 'INVALID_EXPRESSION',
      `expression ${quote(this.source)} failed: ${clip(e.message ?? String(err))}`,
      [],
      { cause: err },
    );
  }
}

const cache = new Map<string, GuardedExpression>();

/**
 * Parses an expression (cached) and checks what can be known before it runs
 * (regex syntax, constant ranges and built-in arguments over the limits);
 * throws `INVALID_EXPRESSION` naming the position.
 */
export function compileExpression(source: string): CompiledExpression {
  return compileGuarded(source);
}

function compileGuarded(source: string): GuardedExpression {
  const hit = cache.get(source);
  if (hit) return hit;
  let expression: jsonata.Expression;
  try {
    expression = jsonata(source, OPTIONS);
    checkStatically(expression.ast());
  } catch (err) {
    const e = err as { message?: string; position?: number };
    throw new SquadflowError(
      'INVALID_EXPRESSION',
      `bad expression ${quote(source)}${e.position !== undefined ? ` at position ${e.position}` : ''}: ${clip(e.message ?? String(err))}`,
    );
  }
  const compiled = new GuardedExpression(source, expression);
  if (cache.size > 10_000) cache.clear();
  cache.set(source, compiled);
  return compiled;
}

/** Evaluates a condition: JSONata truthiness is reduced to a strict boolean. */
export async function evaluateCondition(source: string, scope: ExpressionScope): Promise<boolean> {
  // Truthiness needs no plain-JSON copy of the value, whatever its size.
  const value = await compileGuarded(source).evaluateRaw(scope);
  if (Array.isArray(value)) return value.length > 0;
  // A function (a bare regex literal, a lambda) is false, as JSONata's `$boolean` has it.
  if (typeof value === 'function' || (typeof value === 'object' && value !== null && isFunctionValue(value))) return false;
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

/** JSONata's codes for its depth (D1011) and time (D1012, unused since the step budget) guardrails. */
const JSONATA_LIMIT_CODES = new Set(['D1011', 'D1012']);

function isLimit(err: unknown): boolean {
  if (err instanceof SquadflowError) return err.code === 'EXPRESSION_LIMIT';
  return err instanceof RangeError || JSONATA_LIMIT_CODES.has((err as { code?: string }).code ?? '');
}

/** An error and the errors JSONata wrapped it in: `$eval` rethrows what failed inside it as its `error`. */
function causes(err: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e = err; e !== null && typeof e === 'object' && chain.length < 10; e = (e as { error?: unknown }).error) chain.push(e);
  return chain;
}

function quote(text: string): string {
  return JSON.stringify(clip(text));
}

function clip(text: string): string {
  return text.length > QUOTE_CHARS ? `${text.slice(0, QUOTE_CHARS)}…` : text;
}
