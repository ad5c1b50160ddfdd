import { Validator, type Schema } from '@cfworker/json-schema';
import { SquadflowError, type FieldIssue } from './errors.ts';

/**
 * Validates data against a JSON Schema (draft 2020-12) with an interpreter
 * (@cfworker/json-schema): schemas come from users, so no validator that
 * generates code from them.
 */
export function compileJsonSchema(schema: Record<string, unknown>): (data: unknown) => FieldIssue[] {
  let validator: Validator;
  try {
    validator = new Validator(schema as Schema, '2020-12', false);
  } catch (err) {
    throw new SquadflowError('INVALID_DEFINITION', `invalid contextSchema: ${(err as Error).message}`, [
      { path: 'contextSchema', message: (err as Error).message },
    ]);
  }
  return (data) => {
    const result = validator.validate(data);
    if (result.valid) return [];
    // Keep the most specific errors: the leaves name the fields at fault.
    const leaves = result.errors.filter((e) => e.keyword !== 'properties' && e.keyword !== 'allOf' && e.keyword !== '$ref');
    return (leaves.length ? leaves : result.errors).map((e) => ({
      path: ['context', ...e.instanceLocation.replace(/^#\/?/, '').split('/').filter(Boolean)].join('.'),
      message: e.error,
    }));
  };
}
