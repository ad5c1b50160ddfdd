import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_DEFINITION_BYTES,
  MAX_DEFINITION_STEPS,
  SquadflowError,
  validateDefinition,
  type WorkflowDefinitionInput,
} from '../src/index.ts';
import { utf8Length } from '../src/definition/limits.ts';

/** Runs `validateDefinition` and returns the `SquadflowError` it must throw. */
function rejection(input: unknown): SquadflowError {
  try {
    validateDefinition(input);
  } catch (err) {
    expect(err).toBeInstanceOf(SquadflowError);
    return err as SquadflowError;
  }
  throw new Error('expected the definition to be rejected');
}

const task = (name: string, extra: Record<string, unknown> = {}) => ({ name, squad: 'inventory', action: 'check', ...extra });

describe('validateDefinition: valid definitions', () => {
  it('fills in defaults: step type task, empty dependsOn, a 30 s workflow timeout (onError is resolved at compile time)', () => {
    const def = validateDefinition({ name: 'order', steps: [task('check')] });
    expect(def).toEqual({
      name: 'order',
      defaults: { timeout: '30s' },
      steps: [{ name: 'check', type: 'task', squad: 'inventory', action: 'check', dependsOn: [] }],
    });
  });

  it('fills retry policy defaults when a retry block is given', () => {
    const def = validateDefinition({ name: 'order', steps: [task('check', { retry: { retries: 3 } })] });
    const step = def.steps[0]!;
    expect(step.type).toBe('task');
    expect(step.type === 'task' && step.retry).toEqual({
      retries: 3,
      initialInterval: '1s',
      backoffCoefficient: 2,
      maxInterval: '5m',
      jitter: 0.2,
    });
  });

  it('accepts a full definition: waits with on: signal / timeout branches, conditions, mappings, compensation, output', () => {
    const input: WorkflowDefinitionInput = {
      name: 'abandoned_cart',
      version: 2,
      description: 'Recover abandoned carts over WhatsApp',
      contextSchema: { type: 'object', required: ['phone'] },
      defaults: { timeout: '10s', retry: { retries: 1 } },
      steps: [
        task('reserve', { onError: 'compensate', compensate: { action: 'release', input: { sku: '$steps.reserve.sku' } } }),
        { name: 'send_offer', squad: 'whatsapp', action: 'send', dependsOn: ['reserve'], delay: '5m', input: { to: 'phone' } },
        { name: 'wait_reply', type: 'wait', signal: 'ai_conversation_{phone}', timeout: 'PT2H', dependsOn: ['send_offer'] },
        { name: 'thank', squad: 'whatsapp', action: 'send', dependsOn: [{ step: 'wait_reply', on: 'signal' }] },
        {
          name: 'remind',
          squad: 'whatsapp',
          action: 'send',
          dependsOn: [{ step: 'wait_reply', on: 'timeout' }],
          condition: 'cart_value > 100',
          onError: 'skip',
        },
      ],
      output: '$steps.thank',
    };
    const def = validateDefinition(input);
    expect(def.steps.map((s) => s.type)).toEqual(['task', 'task', 'wait', 'task', 'task']);
    expect(def.defaults).toEqual({
      timeout: '10s',
      retry: { retries: 1, initialInterval: '1s', backoffCoefficient: 2, maxInterval: '5m', jitter: 0.2 },
    });
    expect(def.steps[3]!.dependsOn).toEqual([{ step: 'wait_reply', on: 'signal' }]);
    expect(def.output).toBe('$steps.thank');
  });

  it('does not modify the input object', () => {
    const input = { name: 'order', steps: [task('check')] };
    const copy = structuredClone(input);
    validateDefinition(input);
    expect(input).toEqual(copy);
  });
});

describe('validateDefinition: rejected definitions name the path and the step', () => {
  it('rejects a dependency on an unknown step', () => {
    const err = rejection({ name: 'order', steps: [task('a'), task('b', { dependsOn: ['nope'] })] });
    expect(err.code).toBe('INVALID_DEFINITION');
    expect(err.issues).toEqual([{ path: 'steps.1.dependsOn.0', message: 'step "b" depends on unknown step "nope"' }]);
    expect(err.message).toContain('"order"');
    expect(err.message).toContain('step "b"');
  });

  it('rejects a dependency cycle and prints the cycle', () => {
    const err = rejection({
      name: 'order',
      steps: [task('a', { dependsOn: ['c'] }), task('b', { dependsOn: ['a'] }), task('c', { dependsOn: ['b'] })],
    });
    expect(err.code).toBe('INVALID_DEFINITION');
    expect(err.issues).toHaveLength(1);
    expect(err.issues[0]!.path).toBe('steps.0.dependsOn');
    expect(err.message).toContain('a -> c -> b -> a');
    expect(err.message).toContain('step "a"');
  });

  it('rejects a step that depends on itself', () => {
    const err = rejection({ name: 'order', steps: [task('a', { dependsOn: ['a'] })] });
    expect(err.issues).toEqual([{ path: 'steps.0.dependsOn.0', message: 'step "a" depends on itself' }]);
  });

  it('rejects duplicate step names at the second occurrence', () => {
    const err = rejection({ name: 'order', steps: [task('a'), task('a')] });
    expect(err.code).toBe('INVALID_DEFINITION');
    expect(err.issues).toEqual([{ path: 'steps.1.name', message: 'duplicate step name "a"' }]);
    expect(err.message).toContain('"a"');
  });

  it('rejects a condition that is not valid JSONata', () => {
    const err = rejection({ name: 'order', steps: [task('a'), task('b', { condition: 'stock_level < = 3' })] });
    expect(err.code).toBe('INVALID_DEFINITION');
    expect(err.issues.map((i) => i.path)).toEqual(['steps.1.condition']);
    expect(err.message).toContain('step "b"');
    expect(err.message).toContain('stock_level < = 3');
  });

  it('accepts an escalationTarget with onError escalate or compensate, and rejects it otherwise or malformed, at its path', () => {
    const def = validateDefinition({ name: 'sync', steps: [task('a', { onError: 'escalate', escalationTarget: 'human-operator' })] });
    expect(def.steps[0]).toMatchObject({ onError: 'escalate', escalationTarget: 'human-operator' });
    expect(() =>
      validateDefinition({ name: 'sync', steps: [task('a', { onError: 'compensate', escalationTarget: 'ops' })] }),
    ).not.toThrow();
    const without = rejection({ name: 'sync', steps: [task('a', { escalationTarget: 'ops' })] });
    expect(without.issues).toEqual([
      { path: 'steps.0.escalationTarget', message: expect.stringContaining('needs onError "escalate" or "compensate"') },
    ]);
    expect(rejection({ name: 'sync', steps: [task('a', { onError: 'skip', escalationTarget: 'ops' })] }).issues[0]!.path).toBe(
      'steps.0.escalationTarget',
    );
    for (const bad of ['', ' ops', 'x'.repeat(257), 42]) {
      const err = rejection({ name: 'sync', steps: [task('a', { onError: 'escalate', escalationTarget: bad })] });
      expect([...new Set(err.issues.map((i) => i.path))]).toEqual(['steps.0.escalationTarget']);
    }
  });

  it('rejects a bad expression inside an input mapping object, naming its key', () => {
    const err = rejection({ name: 'order', steps: [task('a', { input: { phone: 'customer.phone', sku: '$.(' } })] });
    expect(err.issues.map((i) => i.path)).toEqual(['steps.0.input.sku']);
    expect(err.message).toContain('step "a"');
  });

  it('rejects a bad expression in a compensation input', () => {
    const err = rejection({ name: 'order', steps: [task('a', { compensate: { action: 'undo', input: 'a +' } })] });
    expect(err.issues.map((i) => i.path)).toEqual(['steps.0.compensate.input']);
    expect(err.message).toContain('step "a"');
  });

  it('rejects a bad workflow output expression', () => {
    const err = rejection({ name: 'order', steps: [task('a')], output: '{ "x": }' });
    expect(err.issues.map((i) => i.path)).toEqual(['output']);
  });

  it('rejects a wait step whose signal template has a bad placeholder', () => {
    const err = rejection({ name: 'order', steps: [{ name: 'w', type: 'wait', signal: 'ai_conversation_{phone +}' }] });
    expect(err.code).toBe('INVALID_DEFINITION');
    expect(err.issues.map((i) => i.path)).toEqual(['steps.0.signal']);
    expect(err.message).toContain('step "w"');
  });

  it('rejects an on: dependency that points at a task step', () => {
    const err = rejection({ name: 'order', steps: [task('a'), task('b', { dependsOn: [{ step: 'a', on: 'timeout' }] })] });
    expect(err.issues).toEqual([
      { path: 'steps.1.dependsOn.0', message: 'step "b": "on: timeout" needs a wait or human step, "a" is a task' },
    ]);
  });

  it('rejects an on: value other than completed, skipped, signal or timeout', () => {
    const err = rejection({
      name: 'order',
      steps: [{ name: 'w', type: 'wait', signal: 'k' }, task('b', { dependsOn: [{ step: 'w', on: 'done' }] })],
    });
    expect(err.issues.map((i) => i.path)).toContain('steps.1.dependsOn.0');
    expect(err.message).toContain('step "b"');
  });

  it('rejects a malformed duration', () => {
    const err = rejection({ name: 'order', steps: [task('a'), task('b', { delay: '5 minutes' })] });
    expect(err.code).toBe('INVALID_DEFINITION');
    expect(err.issues.map((i) => i.path)).toEqual(['steps.1.delay']);
    expect(err.issues[0]!.message).toMatch(/^step "b": expected a duration/);
    expect(err.message).toContain('"order"');
  });

  it('rejects a malformed duration in the workflow defaults', () => {
    const err = rejection({ name: 'order', defaults: { timeout: 'soon' }, steps: [task('a')] });
    expect(err.issues.map((i) => i.path)).toEqual(['defaults.timeout']);
  });

  it('rejects an unknown field on a step, at the path of that field', () => {
    const err = rejection({ name: 'order', steps: [task('a'), task('b', { retries: 3 })] });
    expect(err.code).toBe('INVALID_DEFINITION');
    expect(err.issues).toEqual([{ path: 'steps.1.retries', message: 'step "b": unknown field "retries"' }]);
  });

  it('rejects an unknown top-level field', () => {
    const err = rejection({ name: 'order', steps: [task('a')], timeout: '5s' });
    expect(err.issues).toEqual([{ path: 'timeout', message: 'unknown field "timeout"' }]);
  });

  it('rejects a task step without squad or action', () => {
    const err = rejection({ name: 'order', steps: [{ name: 'a' }] });
    expect(err.issues.map((i) => i.path).sort()).toEqual(['steps.0.action', 'steps.0.squad']);
    expect(err.message).toContain('step "a"');
  });

  it('rejects names that are not safe as subject tokens', () => {
    const err = rejection({ name: 'order.v2', steps: [task('check stock')] });
    expect(err.issues.map((i) => i.path).sort()).toEqual(['name', 'steps.0.name']);
  });

  it('rejects a workflow without steps', () => {
    const err = rejection({ name: 'order', steps: [] });
    expect(err.issues).toEqual([{ path: 'steps', message: 'a workflow needs at least one step' }]);
  });

  it('rejects something that is not an object at all', () => {
    const err = rejection('order');
    expect(err.code).toBe('INVALID_DEFINITION');
    expect(err.issues).toHaveLength(1);
  });

  it('reports every semantic problem at once, not only the first', () => {
    const err = rejection({ name: 'order', steps: [task('a', { dependsOn: ['x'] }), task('a', { condition: '(' })] });
    expect(err.issues.map((i) => i.path).sort()).toEqual(['steps.0.dependsOn.0', 'steps.1.condition', 'steps.1.name']);
  });

  it('serialises to JSON with code, message and issues', () => {
    const err = rejection({ name: 'order', steps: [task('a', { dependsOn: ['x'] })] });
    expect(JSON.parse(JSON.stringify(err))).toEqual({ code: 'INVALID_DEFINITION', message: err.message, issues: err.issues });
  });
});

/** A chain of `n` steps; each step's description pads it by `pad` characters. */
const chain = (n: number, pad = 0) => ({
  name: 'big',
  steps: Array.from({ length: n }, (_, i) => ({
    name: `s${i}`,
    squad: 'sq',
    action: 'a',
    ...(i ? { dependsOn: [`s${i - 1}`] } : {}),
    ...(pad ? { description: 'd'.repeat(pad) } : {}),
  })),
});

const bytesOf = (value: unknown): number => Buffer.byteLength(JSON.stringify(value));

describe('definition limits', () => {
  it(`accepts ${MAX_DEFINITION_STEPS} steps, and refuses one more with DEFINITION_TOO_LARGE naming the limit`, () => {
    expect(validateDefinition(chain(MAX_DEFINITION_STEPS)).steps).toHaveLength(MAX_DEFINITION_STEPS);
    const err = rejection(chain(MAX_DEFINITION_STEPS + 1));
    expect(err.code).toBe('DEFINITION_TOO_LARGE');
    expect(err.issues).toEqual([
      { path: 'steps', message: `${MAX_DEFINITION_STEPS + 1} steps; at most ${MAX_DEFINITION_STEPS} are allowed (MAX_DEFINITION_STEPS)` },
    ]);
  });

  it('checks the step count before the steps themselves: too many invalid steps is still DEFINITION_TOO_LARGE', () => {
    const err = rejection({ name: 'big', steps: Array.from({ length: MAX_DEFINITION_STEPS + 1 }, () => ({ nonsense: true })) });
    expect(err.code).toBe('DEFINITION_TOO_LARGE');
    expect(err.issues.map((i) => i.path)).toEqual(['steps']);
  });

  it(`accepts ${MAX_DEFINITION_BYTES} bytes of JSON, and refuses one more, before checking the shape`, () => {
    // 290 steps padded to a few KB under the limit, a workflow description filling it exactly, then one byte more.
    const perChar = 290;
    const under = chain(290, Math.floor((MAX_DEFINITION_BYTES - 4_000 - bytesOf(chain(290, 1))) / perChar));
    const room = MAX_DEFINITION_BYTES - bytesOf(under);
    expect(room).toBeGreaterThan(100);
    expect(room).toBeLessThan(10_000);
    const exact = { ...under, description: 'x'.repeat(room - '"description":"",'.length) };
    expect(bytesOf(exact)).toBe(MAX_DEFINITION_BYTES);
    expect(validateDefinition(exact).steps).toHaveLength(290);

    const over = { ...exact, description: `${exact.description}x`, unknownField: undefined };
    const err = rejection(over);
    expect(err.code).toBe('DEFINITION_TOO_LARGE');
    expect(err.issues).toEqual([
      {
        path: '(root)',
        message: `${MAX_DEFINITION_BYTES + 1} bytes of JSON; at most ${MAX_DEFINITION_BYTES} are allowed (MAX_DEFINITION_BYTES)`,
      },
    ]);
    // Over the limit and invalid too: the size is what is reported (nothing else was looked at).
    expect(rejection({ ...over, steps: [{ nonsense: true }, ...over.steps] }).code).toBe('DEFINITION_TOO_LARGE');
  });

  it('measures UTF-8 bytes of the compact JSON: formatting does not count, non-ASCII text does', () => {
    const accented = { ...chain(1), description: 'é'.repeat(MAX_DEFINITION_BYTES / 2) };
    expect(JSON.stringify(accented).length).toBeLessThan(MAX_DEFINITION_BYTES);
    expect(rejection(accented).code).toBe('DEFINITION_TOO_LARGE');
  });

  it('counts UTF-8 bytes as Buffer.byteLength does (any code points, lone surrogates too)', () => {
    const text = fc.array(fc.integer({ min: 0, max: 0x10ffff }), { maxLength: 32 }).map((points) => String.fromCodePoint(...points));
    fc.assert(
      fc.property(text, (t) => utf8Length(t) === Buffer.byteLength(t)),
      { numRuns: 1_000 },
    );
  });
});
