import { KvRecords, type Transport } from '@squadflow/transport';
import { codec, durationMs, EpochMsSchema, NameSchema, names, type Logger } from '@squadflow/shared';
import { z, type ZodType } from 'zod';
import { DEFAULT_SQUAD_VERSION, deliveryOf, type SquadDefinition } from './define-squad.ts';

const JsonSchemaSchema = z.record(z.string(), z.unknown());

/** What operators, the CLI and the gateway may know about one action, without running the squad's code. */
export const ActionDescriptionSchema = z.strictObject({
  description: z.string().optional(),
  compensate: NameSchema.optional(),
  /** The action's default timeout per attempt (ms), enforced by the squad. */
  timeoutMs: z.number().int().positive().optional(),
  /** `at-least-once` when a redelivered command may run the handler again; absent: at most once per attempt. */
  delivery: z.literal('at-least-once').optional(),
  /** JSON Schema (2020-12) of the input the action accepts; absent when the action declares no schema. */
  input: JsonSchemaSchema.optional(),
  /** JSON Schema (2020-12) of the output the action returns; absent when the action declares no schema. */
  output: JsonSchemaSchema.optional(),
});
export type ActionDescription = z.output<typeof ActionDescriptionSchema>;

/** One entry of the squad directory (KV bucket `<prefix>_squads`, key `<squad>`). */
export const SquadDescriptionSchema = z.strictObject({
  name: NameSchema,
  description: z.string().optional(),
  version: z.string(),
  actions: z.record(NameSchema, ActionDescriptionSchema),
  /** When a replica last announced this description (epoch ms). */
  updatedAt: EpochMsSchema,
});
export type SquadDescription = z.output<typeof SquadDescriptionSchema>;
export const squadDescriptionCodec = codec('squad description', SquadDescriptionSchema);

/**
 * Describes a squad as plain JSON: zod schemas become JSON Schemas (input
 * side for `input`, output side for `output`). Parts zod cannot express
 * (transforms, dates) become `{}` (anything) rather than failing the start.
 */
export function describeSquad(definition: SquadDefinition, at: number): SquadDescription {
  const actions: Record<string, ActionDescription> = {};
  for (const [name, action] of Object.entries(definition.actions)) {
    const input = jsonSchemaOf(action.input, 'input');
    const output = jsonSchemaOf(action.output, 'output');
    actions[name] = {
      ...(action.description === undefined ? {} : { description: action.description }),
      ...(action.compensate === undefined ? {} : { compensate: action.compensate }),
      ...(action.timeout === undefined ? {} : { timeoutMs: durationMs(action.timeout) }),
      ...(deliveryOf(definition, action) === 'at-least-once' ? { delivery: 'at-least-once' as const } : {}),
      ...(input ? { input } : {}),
      ...(output ? { output } : {}),
    };
  }
  return {
    name: definition.name,
    ...(definition.description === undefined ? {} : { description: definition.description }),
    version: definition.version ?? DEFAULT_SQUAD_VERSION,
    actions,
    updatedAt: at,
  };
}

function jsonSchemaOf(schema: ZodType | undefined, io: 'input' | 'output'): Record<string, unknown> | undefined {
  if (!schema) return undefined;
  try {
    return z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  } catch {
    // Cycles without ids and other corner cases: an unknown shape is still a valid description.
    return {};
  }
}

/**
 * Writes the squad's description to the directory. Every replica writes the
 * same entry at start (last writer wins, which during a rolling deploy is
 * the newest version); an entry says a squad exists, not that it runs: the
 * NATS services API answers that.
 */
export async function announceSquad(transport: Transport, prefix: string, description: SquadDescription, logger: Logger): Promise<void> {
  const records = new KvRecords(await transport.kv(names(prefix).buckets.squads), squadDescriptionCodec.schema);
  await records.put(description.name, description);
  logger.debug({ bucket: records.bucket }, 'squad description announced');
}

/**
 * Every squad that announced itself under `prefix` (default `sqf`), by name.
 * Works in memory mode too, where there is no NATS services API.
 */
export async function listSquads(transport: Transport, prefix = 'sqf'): Promise<SquadDescription[]> {
  const records = new KvRecords(await transport.kv(names(prefix).buckets.squads), squadDescriptionCodec.schema);
  return (await records.entries()).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((r) => r.value);
}
