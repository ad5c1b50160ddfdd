import { JsonObjectSchema, SquadflowError, validateDefinition, type WorkflowDefinition } from '@squadflow/shared';
import { compileWorkflow, type CompiledWorkflow } from '../compile/index.ts';
import { kvRecords, type KvRecords, type KvStore } from '@squadflow/transport';
import { z } from 'zod';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** `<name>.latest`: which version is the newest. */
const PointerSchema = z.object({ version: z.number().int().positive() });
type Pointer = z.output<typeof PointerSchema>;

export interface WorkflowSummary {
  name: string;
  version: number;
  description?: string;
  steps: number;
}

/**
 * Versioned workflow definitions in KV: `<name>.v<version>` holds a version,
 * `<name>.latest` points at the newest. Registering an unchanged definition
 * keeps its version; a changed one gets the next. Executions pin the version
 * they started with, and compiled versions are cached (they never change).
 */
export class WorkflowRegistry {
  private readonly compiled = new Map<string, CompiledWorkflow>();
  private readonly pointers: KvRecords<Pointer>;
  /** `<name>.v<version>`: the definition without its version, validated in full when compiled. */
  private readonly definitions: KvRecords<Record<string, unknown>>;

  constructor(private readonly kv: KvStore) {
    this.pointers = kvRecords(kv, PointerSchema);
    this.definitions = kvRecords(kv, JsonObjectSchema);
  }

  async register(input: unknown): Promise<{ name: string; version: number; created: boolean }> {
    const def = validateDefinition(input);
    const { version: _pinned, ...body } = def;
    const canonical = JSON.stringify(body);
    const result = await this.pointers.decide<{ version: number; created: boolean }>(`${def.name}.latest`, async (latest) => {
      const current = latest?.version ?? 0;
      if (current) {
        // Compared as stored bytes: `canonical` is exactly what registering this body writes.
        const existing = await this.kv.get(`${def.name}.v${current}`);
        if (existing && dec.decode(existing.value) === canonical) return [undefined, { version: current, created: false }];
      }
      const version = current + 1;
      compileWorkflow({ ...body, version }, version);
      // Written before the pointer moves: a registration that loses the pointer's compare-and-set looks again.
      await this.kv.put(`${def.name}.v${version}`, enc.encode(canonical));
      return [{ version }, { version, created: true }];
    });
    return { name: def.name, ...result };
  }

  /** The compiled workflow; the latest version when `version` is omitted. Throws `WORKFLOW_NOT_FOUND`. */
  async get(name: string, version?: number): Promise<CompiledWorkflow> {
    const v = version ?? (await this.latestVersion(name));
    const cacheKey = `${name}@${v}`;
    const hit = this.compiled.get(cacheKey);
    if (hit) return hit;
    const entry = v ? await this.definitions.get(`${name}.v${v}`) : null;
    if (!entry)
      throw new SquadflowError('WORKFLOW_NOT_FOUND', `workflow "${name}"${version ? ` version ${version}` : ''} is not registered`);
    const compiled = compileWorkflow({ ...entry.value, version: v }, v!);
    this.compiled.set(cacheKey, compiled);
    return compiled;
  }

  async definition(name: string, version?: number): Promise<WorkflowDefinition> {
    return (await this.get(name, version)).definition;
  }

  async list(): Promise<WorkflowSummary[]> {
    const keys = await this.kv.keys('*.latest');
    const out: WorkflowSummary[] = [];
    for (const key of keys.sort()) {
      const name = key.slice(0, -'.latest'.length);
      const def = await this.definition(name);
      out.push({ name, version: def.version!, ...(def.description ? { description: def.description } : {}), steps: def.steps.length });
    }
    return out;
  }

  private async latestVersion(name: string): Promise<number | undefined> {
    if (!/^[A-Za-z][A-Za-z0-9_-]{0,63}$/.test(name)) return undefined;
    return (await this.pointers.get(`${name}.latest`))?.value.version;
  }
}
