/**
 * Property tests: random valid definitions compile; random invalid ones are
 * rejected with a SquadflowError naming a field, never a crash.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SquadflowError, validateDefinition } from '@squadflow/shared';
import { compileWorkflow } from '../src/compile/index.ts';

const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/);

/** A valid DAG: each step depends only on earlier ones (so no cycle), with optional branches on wait steps. */
const validDefinition = fc
  .uniqueArray(name, { minLength: 1, maxLength: 12 })
  .chain((names) =>
    fc.tuple(
      fc.constant(names),
      fc.array(fc.boolean(), { minLength: names.length, maxLength: names.length }), // wait step?
      fc.array(fc.array(fc.nat(), { maxLength: 3 }), { minLength: names.length, maxLength: names.length }),
      fc.array(fc.constantFrom(undefined, '5m', 1_000, 'PT2H'), { minLength: names.length, maxLength: names.length }),
      fc.array(fc.constantFrom('fail', 'skip', 'compensate', 'escalate', 'pause') as fc.Arbitrary<string>, {
        minLength: names.length,
        maxLength: names.length,
      }),
    ),
  )
  .map(([names, waits, deps, delays, onErrors]) => ({
    name: 'generated',
    steps: names.map((n, i) => {
      const dependsOn = i === 0 ? [] : [...new Set(deps[i]!.map((d) => names[d % i]!))];
      const common = { name: n, dependsOn, ...(delays[i] === undefined ? {} : { delay: delays[i] }) };
      return waits[i]
        ? { ...common, type: 'wait', signal: `key_{$execution.id}_${n}`, timeout: '1h' }
        : { ...common, squad: 'squad', action: 'act', onError: onErrors[i], condition: i % 3 === 0 ? 'true' : undefined };
    }),
  }));

/** Mutations that each make a definition invalid. */
const breakIt = fc.constantFrom(
  (d: { steps: Array<Record<string, unknown>> }) => ({ ...d, steps: [...d.steps, { ...d.steps[0] }] }), // duplicate name
  (d: { steps: Array<Record<string, unknown>> }) => ({ ...d, steps: [{ ...d.steps[0], dependsOn: ['nowhere'] }, ...d.steps.slice(1)] }),
  (d: { steps: Array<Record<string, unknown>> }) => ({
    ...d,
    steps: [{ ...d.steps[0], dependsOn: [d.steps[0]!['name']] }, ...d.steps.slice(1)],
  }),
  (d: { steps: Array<Record<string, unknown>> }) => ({ ...d, steps: [{ ...d.steps[0], condition: '(((' }, ...d.steps.slice(1)] }),
  (d: { steps: Array<Record<string, unknown>> }) => ({ ...d, steps: [{ ...d.steps[0], delay: 'soon' }, ...d.steps.slice(1)] }),
  (d: { steps: Array<Record<string, unknown>> }) => ({ ...d, name: '9 bad name' }),
  (d: { steps: Array<Record<string, unknown>> }) => ({ ...d, steps: [] }),
  (d: { steps: Array<Record<string, unknown>> }) => ({ ...d, steps: [{ ...d.steps[0], unknownField: 1 }, ...d.steps.slice(1)] }),
);

describe('definitions, property-based', () => {
  it('random valid definitions are accepted and compile', () => {
    fc.assert(
      fc.property(validDefinition, (input) => {
        const def = validateDefinition(JSON.parse(JSON.stringify(input)));
        const compiled = compileWorkflow(def, 1);
        expect(Object.keys(compiled.machine.root.states['running']!.states)).toEqual(def.steps.map((s) => s.name));
      }),
      { numRuns: 150 },
    );
  });

  it('random invalid definitions are rejected with an error naming a field, never a crash', () => {
    fc.assert(
      fc.property(validDefinition, breakIt, (input, mutate) => {
        const broken = mutate(JSON.parse(JSON.stringify(input)) as { steps: Array<Record<string, unknown>> });
        let caught: unknown;
        try {
          validateDefinition(broken);
        } catch (err) {
          caught = err;
        }
        expect(caught).toBeInstanceOf(SquadflowError);
        expect((caught as SquadflowError).code).toBe('INVALID_DEFINITION');
        expect((caught as SquadflowError).issues.length).toBeGreaterThan(0);
        expect((caught as SquadflowError).issues.every((i) => typeof i.path === 'string' && i.message.length > 0)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('arbitrary JSON is rejected or accepted, never crashes', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        try {
          validateDefinition(value);
        } catch (err) {
          expect(err).toBeInstanceOf(SquadflowError);
        }
      }),
      { numRuns: 300 },
    );
  });
});
