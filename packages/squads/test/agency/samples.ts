import { readFileSync } from 'node:fs';
import type { HandoffName } from '../../src/catalog/agency/index.ts';

const EXAMPLES = new URL('../../../../examples/handoffs/', import.meta.url);

/** The sample input of a handoff, as shipped in `examples/handoffs/<name>.json`. */
export function sampleInput(name: HandoffName): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`${name}.json`, EXAMPLES), 'utf8')) as Record<string, unknown>;
}
