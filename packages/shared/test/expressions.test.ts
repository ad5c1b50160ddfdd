import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  compileExpression,
  compileTemplate,
  evaluateCondition,
  renderTemplate,
  SquadflowError,
  type ExpressionScope,
} from '../src/index.ts';

const scope: ExpressionScope = {
  context: {
    phone: '+55 11 99999-9999',
    stock_level: 3,
    min_threshold: 5,
    cart: {
      items: [
        { sku: 'A', qty: 2 },
        { sku: 'B', qty: 1 },
      ],
    },
  },
  steps: { check_inventory: { available: true, warehouse: 'SP' }, empty: null },
  execution: { id: 'exec_1', workflow: 'restock' },
};

const evaluate = (source: string, s: ExpressionScope = scope) => compileExpression(source).evaluate(s);

describe('conditions', () => {
  it('read context fields at the root', async () => {
    expect(await evaluateCondition('stock_level < min_threshold', scope)).toBe(true);
    expect(await evaluateCondition('stock_level > min_threshold', scope)).toBe(false);
  });

  it('read the same context through $context', async () => {
    expect(await evaluateCondition('$context.stock_level = 3', scope)).toBe(true);
  });

  it('read settled step outputs through $steps', async () => {
    expect(await evaluateCondition('$steps.check_inventory.available = true', scope)).toBe(true);
    expect(await evaluateCondition('$steps.check_inventory.warehouse = "RJ"', scope)).toBe(false);
  });

  it('read the execution id and workflow through $execution', async () => {
    expect(await evaluateCondition('$execution.workflow = "restock" and $execution.id = "exec_1"', scope)).toBe(true);
  });

  it('are false for missing fields, empty sequences and null', async () => {
    expect(await evaluateCondition('no_such_field', scope)).toBe(false);
    expect(await evaluateCondition('cart.items[qty > 5]', scope)).toBe(false);
    expect(await evaluateCondition('$steps.empty', scope)).toBe(false);
  });

  it('are true for a non-empty array result', async () => {
    expect(await evaluateCondition('cart.items[qty > 1]', scope)).toBe(true);
  });
});

describe('expressions as data mappings', () => {
  it('return plain JSON values (no JSONata sequence wrappers)', async () => {
    const value = await evaluate('cart.items.sku');
    expect(value).toEqual(['A', 'B']);
    expect(Object.getPrototypeOf(value)).toBe(Array.prototype);
    expect(JSON.stringify(value)).toBe('["A","B"]');
  });

  it('build objects from context and step outputs', async () => {
    expect(await evaluate('{ "to": phone, "warehouse": $steps.check_inventory.warehouse, "total": $sum(cart.items.qty) }')).toEqual({
      to: '+55 11 99999-9999',
      warehouse: 'SP',
      total: 3,
    });
  });

  it('cache compiled expressions by source', () => {
    expect(compileExpression('stock_level + 1')).toBe(compileExpression('stock_level + 1'));
  });

  it('reject a syntax error at compile time with INVALID_EXPRESSION and the position', () => {
    expect(() => compileExpression('stock_level < = 3')).toThrow(SquadflowError);
    expect(() => compileExpression('stock_level < = 3')).toThrow(
      expect.objectContaining({ code: 'INVALID_EXPRESSION', message: expect.stringMatching(/at position \d+/) }),
    );
  });

  it('turn runtime errors into INVALID_EXPRESSION naming the expression', async () => {
    await expect(evaluate('$undefined_function(1)')).rejects.toMatchObject({
      code: 'INVALID_EXPRESSION',
      message: expect.stringContaining('$undefined_function(1)'),
    });
  });
});

describe('templates', () => {
  it('render placeholders as expressions over the scope', async () => {
    expect(await renderTemplate('ai_conversation_{phone}', scope)).toBe('ai_conversation_+55 11 99999-9999');
    expect(await renderTemplate('{$execution.id}:{stock_level + 1}', scope)).toBe('exec_1:4');
  });

  it('leave text without placeholders unchanged', async () => {
    expect(await renderTemplate('escalation_exec_1', scope)).toBe('escalation_exec_1');
  });

  it('throw when a placeholder has no value, instead of producing a truncated key', async () => {
    await expect(renderTemplate('ai_conversation_{customer_phone}', scope)).rejects.toMatchObject({ code: 'INVALID_EXPRESSION' });
    await expect(renderTemplate('ai_conversation_{customer_phone}', scope)).rejects.toThrow(/customer_phone/);
  });

  it('throw when a placeholder yields an object or array', async () => {
    await expect(renderTemplate('k_{cart}', scope)).rejects.toMatchObject({ code: 'INVALID_EXPRESSION' });
    await expect(renderTemplate('k_{cart.items.sku}', scope)).rejects.toMatchObject({ code: 'INVALID_EXPRESSION' });
  });

  it('are checked at compile time', () => {
    expect(() => compileTemplate('ai_conversation_{phone}')).not.toThrow();
    expect(() => compileTemplate('ai_conversation_{phone +}')).toThrow(SquadflowError);
  });
});

describe('limits on hostile expressions', () => {
  it('stop a runaway non-tail recursion by the depth limit instead of hanging', async () => {
    const started = Date.now();
    await expect(evaluate('($f := function($n) { $n + $f($n + 1) }; $f(0))')).rejects.toMatchObject({ code: 'EXPRESSION_LIMIT' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('stop an endless tail-recursive loop by the step budget instead of hanging', async () => {
    await expect(evaluate('($f := function($n) { $f($n + 1) }; $f(0))')).rejects.toMatchObject({
      code: 'EXPRESSION_LIMIT',
      message: expect.stringMatching(/budget of \d+ steps/),
    });
  });

  it('give the same answer however much wall time passes during an evaluation (a busy or paused process)', async () => {
    // Every read of the clock moves it 10 s on: a wall-clock budget would fail this trivial evaluation.
    let now = Date.now();
    const clock = vi.spyOn(Date, 'now').mockImplementation(() => (now += 10_000));
    try {
      const withContext = (context: Record<string, unknown>): ExpressionScope => ({ ...scope, context });
      expect(await evaluate('{ "ms": latency, "sum": $sum([1..100]) }', withContext({ latency: 7 }))).toEqual({ ms: 7, sum: 5050 });
      expect(await evaluate('$replace(text, /a/, "b")', withContext({ text: 'a'.repeat(1000) }))).toBe('b'.repeat(1000));
    } finally {
      clock.mockRestore();
    }
  });

  it('apply the limits to code run through $eval as well', async () => {
    const started = Date.now();
    await expect(evaluate('$eval("($f := function($n) { $f($n + 1) }; $f(0))")')).rejects.toMatchObject({ code: 'EXPRESSION_LIMIT' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('reset the limits for every evaluation: a bounded recursion still runs after a runaway one', async () => {
    await expect(evaluate('($f := function($n) { $f($n + 1) }; $f(0))')).rejects.toBeInstanceOf(SquadflowError);
    expect(await evaluate('($f := function($n) { $n >= 20 ? $n : $f($n + 1) }; $f(0))')).toBe(20);
  });
});

describe('user strings never reach JavaScript', () => {
  afterEach(() => vi.restoreAllMocks());

  it('treats process.exit() as JSONata (a path), not as a JavaScript call', async () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    await evaluate('process.exit()').catch((err: unknown) => expect(err).toBeInstanceOf(SquadflowError));
    await evaluate('$process.exit(1)').catch((err: unknown) => expect(err).toBeInstanceOf(SquadflowError));
    expect(exit).not.toHaveBeenCalled();
  });

  it('does not expose prototype properties such as constructor or __proto__', async () => {
    expect(await evaluate('constructor')).toBeUndefined();
    expect(await evaluate('constructor.constructor')).toBeUndefined();
    expect(await evaluate('$.constructor.constructor("return process")')).toBeUndefined();
    expect(await evaluate('__proto__')).toBeUndefined();
    expect(await evaluate('$lookup($, "constructor")')).toBeUndefined();
    expect(await evaluate('$string.constructor')).toBeUndefined();
  });

  it('evaluates a Python-style lambda string from the seeds as an error, not as code', async () => {
    expect(() => compileExpression('lambda context: context["stock_level"] < 5')).toThrow(SquadflowError);
  });

  it('has no eval of JavaScript: $eval only runs JSONata', async () => {
    expect(await evaluate('$eval("1 + 1")')).toBe(2);
    await expect(evaluate('$eval("globalThis.process.exit(1)")')).resolves.toBeUndefined();
  });
});
