import { SquadflowError, validateDefinition, type WorkflowDefinition } from '@squadflow/shared';
import { compileWorkflow, type CompiledWorkflow } from '../compile/index.ts';
import { KvConflictError, type KvStore } from '@squadflow/transport';

const enc = new TextEncoder();
const dec = new TextDecoder();

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

  constructor(private readonly kv: KvStore) {}

  async register(input: unknown): Promise<{ name: string; version: number; created: boolean }> {
    const def = validateDefinition(input);
    const { version: _pinned, ...body } = def;
    const canonical = JSON.stringify(body);
    for (;;) {
      const latest = await this.kv.get(`${def.name}.latest`);
      const current = latest ? (JSON.parse(dec.decode(latest.value)) as { version: number }).version : 0;
      if (current) {
        const existing = await this.kv.get(`${def.name}.v${current}`);
        if (existing && dec.decode(existing.value) === canonical) return { name: def.name, version: current, created: false };
      }
      const version = current + 1;
      compileWorkflow({ ...body, version }, version);
      try {
        await this.kv.put(`${def.name}.v${version}`, enc.encode(canonical));
        const pointer = enc.encode(JSON.stringify({ version }));
        if (latest) await this.kv.update(`${def.name}.latest`, pointer, latest.revision);
        else await this.kv.create(`${def.name}.latest`, pointer);
        return { name: def.name, version, created: true };
      } catch (err) {
        if (!(err instanceof KvConflictError)) throw err; // another registration won: look again
      }
    }
  }

  /** The compiled workflow; the latest version when `version` is omitted. Throws `WORKFLOW_NOT_FOUND`. */
  async get(name: string, version?: number): Promise<CompiledWorkflow> {
    const v = version ?? (await this.latestVersion(name));
    const cacheKey = `${name}@${v}`;
    const hit = this.compiled.get(cacheKey);
    if (hit) return hit;
    const entry = v ? await this.kv.get(`${name}.v${v}`) : null;
    if (!entry)
      throw new SquadflowError('WORKFLOW_NOT_FOUND', `workflow "${name}"${version ? ` version ${version}` : ''} is not registered`);
    const compiled = compileWorkflow({ ...(JSON.parse(dec.decode(entry.value)) as object), version: v }, v!);
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
    const latest = await this.kv.get(`${name}.latest`);
    return latest ? (JSON.parse(dec.decode(latest.value)) as { version: number }).version : undefined;
  }
}
