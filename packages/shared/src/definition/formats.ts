import { parseDocument, stringify } from 'yaml';
import { SquadflowError } from '../errors.ts';
import type { WorkflowDefinition } from './schema.ts';
import { validateDefinition } from './validate.ts';

export type DefinitionFormat = 'json' | 'yaml';

/**
 * Reads a definition from JSON or YAML text and validates it. Syntax errors
 * name the line and column; schema errors name the field (as registration
 * does). YAML is parsed as data only: no custom tags, no code.
 */
export function parseDefinition(text: string, format: DefinitionFormat, source = 'definition'): WorkflowDefinition {
  let data: unknown;
  if (format === 'json') {
    try {
      data = JSON.parse(text);
    } catch (err) {
      throw new SquadflowError('INVALID_DEFINITION', `${source}: not valid JSON (${(err as Error).message})`, [
        { path: '(root)', message: (err as Error).message },
      ]);
    }
  } else {
    const doc = parseDocument(text, { prettyErrors: true, strict: true, uniqueKeys: true });
    const [first] = doc.errors;
    if (first) {
      const where = first.linePos?.[0];
      const at = where ? ` at line ${where.line}, column ${where.col}` : '';
      throw new SquadflowError('INVALID_DEFINITION', `${source}: not valid YAML${at} (${first.message.split('\n')[0]})`, [
        { path: '(root)', message: first.message.split('\n')[0]! },
      ]);
    }
    data = doc.toJS({ maxAliasCount: 100 });
  }
  return validateDefinition(data);
}

/** Writes a definition as JSON (2-space indent) or YAML; `parseDefinition` reads either back to the same definition. */
export function serializeDefinition(definition: WorkflowDefinition, format: DefinitionFormat): string {
  return format === 'json' ? `${JSON.stringify(definition, null, 2)}\n` : stringify(definition, { lineWidth: 0 });
}

/** The format a file name implies (`.yaml`/`.yml` or `.json`). */
export function formatOf(fileName: string): DefinitionFormat {
  if (/\.ya?ml$/i.test(fileName)) return 'yaml';
  if (/\.json$/i.test(fileName)) return 'json';
  throw new SquadflowError('INVALID_ARGUMENT', `${fileName}: unknown definition format (use .json, .yaml or .yml)`);
}
