import { JsonObjectSchema, SquadflowError, validateDefinition, type WorkflowDefinition } from '@squadflow/shared';
import { compileWorkflowAsync, type CompiledWorkflow } from '../compile/index.ts';
import { kvRecords, type KvRecords, type KvStore } from '@squadflow/transport';
import { z } from 'zod';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** `<name>.latest`: which version is the newest. */
const PointerSchema = z.object({ version: z.number().int().positive() });
type Pointer = z.output<typeof PointerSchema>;

/** `<name>.v<version>.meta`: when a version was registered (versions stored before it existed have none). */
const VersionMetaSchema = z.object({ createdAt: z.number() });

/** One registered version of a workflow. */
export interface WorkflowVersion {
  version: number;
  /** When it was registered (epoch ms); absent for versions registered before this was recorded. */
  createdAt?: number;
  steps: number;
  description?: string;
}

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
 *
 * Compiling stays off the critical section of requests and events: a
 * definition over a limit is refused before any work (`DEFINITION_TOO_LARGE`),
 * a compile gives the event loop a turn between its phases
 * (`compileWorkflowAsync`), each version is compiled once per process (the
 * one registering it keeps its compile), and callers asking for a version
 * being compiled share that compile. Listing and reading definitions never
 * compile.
 */
export class WorkflowRegistry {
  /** `<name>@<version>`: the compile of that version, done or in progress. */
  private readonly compiled = new Map<string, Promise<CompiledWorkflow>>();
  private readonly pointers: KvRecords<Pointer>;
  /** `<name>.v<version>`: the definition without its version, validated in full when compiled. */
  private readonly definitions: KvRecords<Record<string, unknown>>;
  private readonly meta: KvRecords<z.output<typeof VersionMetaSchema>>;

  constructor(
    private readonly kv: KvStore,
    private readonly now: () => number = Date.now,
  ) {
    this.pointers = kvRecords(kv, PointerSchema);
    this.definitions = kvRecords(kv, JsonObjectSchema);
    this.meta = kvRecords(kv, VersionMetaSchema);
  }

  /**
   * Validates, compiles and stores a definition; an unchanged one keeps its
   * version. Throws `DEFINITION_TOO_LARGE` or `INVALID_DEFINITION`; nothing
   * is stored then.
   */
  async register(input: unknown): Promise<{ name: string; version: number; created: boolean }> {
    const def = validateDefinition(input);
    const { version: _pinned, ...body } = def;
    const canonical = JSON.stringify(body);
    let compiled: CompiledWorkflow | undefined;
    const result = await this.pointers.decide<{ version: number; created: boolean }>(`${def.name}.latest`, async (latest) => {
      const current = latest?.version ?? 0;
      if (current) {
        // Compared as stored bytes: `canonical` is exactly what registering this body writes.
        const existing = await this.kv.get(`${def.name}.v${current}`);
        if (existing && dec.decode(existing.value) === canonical) return [undefined, { version: current, created: false }];
      }
      const version = current + 1;
      // Compiled before anything is stored: a definition that does not compile leaves no trace.
      compiled = await compileWorkflowAsync({ ...body, version }, version);
      // Written before the pointer moves: a registration that loses the pointer's compare-and-set looks again.
      await this.kv.put(`${def.name}.v${version}`, enc.encode(canonical));
      await this.meta.put(`${def.name}.v${version}.meta`, { createdAt: this.now() });
      return [{ version }, { version, created: true }];
    });
    // The first trigger of the new version does not compile it again.
    if (result.created && compiled?.version === result.version) this.remember(def.name, result.version, Promise.resolve(compiled));
    return { name: def.name, ...result };
  }

  /** The compiled workflow; the latest version when `version` is omitted. Throws `WORKFLOW_NOT_FOUND`. */
  async get(name: string, version?: number): Promise<CompiledWorkflow> {
    const v = version ?? (await this.latestVersion(name));
    if (!v) throw notFound(name, version);
    const hit = this.compiled.get(cacheKey(name, v));
    if (hit) return hit;
    const compiling = this.read(name, v).then((definition) => compileWorkflowAsync(definition, v));
    this.remember(name, v, compiling);
    return compiling;
  }

  /** A stored definition, validated (defaults filled in), without compiling it. Throws `WORKFLOW_NOT_FOUND`. */
  async definition(name: string, version?: number): Promise<WorkflowDefinition> {
    const v = version ?? (await this.latestVersion(name));
    if (!v) throw notFound(name, version);
    const hit = this.compiled.get(cacheKey(name, v));
    if (hit) return (await hit).definition;
    return validateDefinition(await this.read(name, v));
  }

  /** The latest version of each workflow, read from the stored definitions (nothing is compiled). */
  async list(): Promise<WorkflowSummary[]> {
    const keys = await this.kv.keys('*.latest');
    const out: WorkflowSummary[] = [];
    for (const key of keys.sort()) {
      const name = key.slice(0, -'.latest'.length);
      const version = await this.latestVersion(name);
      if (!version) continue;
      const def = await this.read(name, version);
      const description = typeof def['description'] === 'string' ? def['description'] : undefined;
      const steps = Array.isArray(def['steps']) ? def['steps'].length : 0;
      out.push({ name, version, ...(description ? { description } : {}), steps });
    }
    return out;
  }

  /**
   * Every registered version of a workflow, oldest first: one key listing of
   * the workflow's keys, then a read per version (definitions never change,
   * so this is for a versions page, not a hot path). Throws `WORKFLOW_NOT_FOUND`.
   */
  async versions(name: string): Promise<WorkflowVersion[]> {
    const latest = await this.latestVersion(name);
    if (!latest) throw notFound(name, undefined);
    const out: WorkflowVersion[] = [];
    for (let version = 1; version <= latest; version++) {
      const [def, meta] = await Promise.all([this.definitions.get(`${name}.v${version}`), this.meta.get(`${name}.v${version}.meta`)]);
      if (!def) continue;
      const description = typeof def.value['description'] === 'string' ? def.value['description'] : undefined;
      out.push({
        version,
        ...(meta ? { createdAt: meta.value.createdAt } : {}),
        steps: Array.isArray(def.value['steps']) ? def.value['steps'].length : 0,
        ...(description ? { description } : {}),
      });
    }
    return out;
  }

  /** The stored body of a version, with its version. */
  private async read(name: string, version: number): Promise<Record<string, unknown>> {
    const entry = await this.definitions.get(`${name}.v${version}`);
    if (!entry) throw notFound(name, version);
    return { ...entry.value, version };
  }

  /** Caches a compile (done or in progress); one that fails is forgotten, so a later call tries again. */
  private remember(name: string, version: number, compiling: Promise<CompiledWorkflow>): void {
    const key = cacheKey(name, version);
    this.compiled.set(key, compiling);
    compiling.catch(() => {
      if (this.compiled.get(key) === compiling) this.compiled.delete(key);
    });
  }

  private async latestVersion(name: string): Promise<number | undefined> {
    if (!/^[A-Za-z][A-Za-z0-9_-]{0,63}$/.test(name)) return undefined;
    return (await this.pointers.get(`${name}.latest`))?.value.version;
  }
}

const cacheKey = (name: string, version: number): string => `${name}@${version}`;

function notFound(name: string, version: number | undefined): SquadflowError {
  return new SquadflowError('WORKFLOW_NOT_FOUND', `workflow "${name}"${version ? ` version ${version}` : ''} is not registered`);
}
