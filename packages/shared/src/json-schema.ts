import { Validator, type Schema } from '@cfworker/json-schema';
import { SquadflowError, type FieldIssue } from './errors.ts';

/**
 * Validates data against a JSON Schema (draft 2020-12) with an interpreter
 * (@cfworker/json-schema): schemas come from users, so no validator that
 * generates code from them.
 */
const REQUIRED = /required property "([^"]+)"/;

export function compileJsonSchema(schema: Record<string, unknown>, root = 'context'): (data: unknown) => FieldIssue[] {
  let validator: Validator;
  try {
    validator = new Validator(schema as Schema, '2020-12', false);
  } catch (err) {
    throw new SquadflowError('INVALID_DEFINITION', `invalid ${root}Schema: ${(err as Error).message}`, [
      { path: `${root}Schema`, message: (err as Error).message },
    ]);
  }
  return (data) => {
    const result = validator.validate(data);
    if (result.valid) return [];
    // Keep the most specific errors: the leaves name the fields at fault.
    const leaves = result.errors.filter((e) => e.keyword !== 'properties' && e.keyword !== 'allOf' && e.keyword !== '$ref');
    return (leaves.length ? leaves : result.errors).map((e) => {
      const path = [root, ...e.instanceLocation.replace(/^#\/?/, '').split('/').filter(Boolean)];
      // A missing property is reported at its parent; name the property itself, as zod does.
      const missing = e.keyword === 'required' ? REQUIRED.exec(e.error)?.[1] : undefined;
      return missing === undefined
        ? { path: path.join('.'), message: e.error }
        : { path: [...path, missing].join('.'), message: 'Required' };
    });
  };
}
