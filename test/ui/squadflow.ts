/**
 * A real `squadflow start` for the UI tests: an OS child process on the
 * shared NATS server with a unique prefix, a free port and an admin token,
 * plus a fixture squad process (`uitools`: noop, sleep, …; see
 * test/process/fixtures/squad-process.ts) so that steps take as long as a
 * test wants. `stop()` kills both and removes the prefix's streams and buckets.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanupPrefix, freePort, natsUrl, spawnTsProcess, uniquePrefix, until, type ChildHandle } from '@squadflow/transport/testing';

const CLI = 'packages/cli/src/main.ts';
const SQUAD = 'test/process/fixtures/squad-process.ts';
export const TOOLS = 'uitools';
export const TOKEN = 'ui-test-token-0123456789abcdef';
/** Read scope only: the pages show, the acts are refused (403). */
export const VIEWER_TOKEN = 'ui-viewer-token-0123456789abcdef';

export interface ExecutionBody {
  executionId: string;
  status: string;
  steps: Array<{ name: string; status: string; output?: unknown; attempts: Array<{ attempt: number }> }>;
  rewinds?: Array<{ fromStep: string }>;
}

export interface Squadflow {
  url: string;
  prefix: string;
  /** A call to the API with the admin token; the parsed body. */
  api<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** Registers a workflow definition (PUT /v1/workflows/{name}). */
  register(definition: { name: string } & Record<string, unknown>): Promise<void>;
  /** Starts an execution; its id. */
  trigger(workflow: string, context?: Record<string, unknown>): Promise<string>;
  /** Polls GET /v1/executions/{id} until the predicate holds. */
  reaches(id: string, test: (e: ExecutionBody) => boolean, what: string): Promise<ExecutionBody>;
  stop(): Promise<void>;
}

export async function startSquadflow(): Promise<Squadflow> {
  const prefix = uniquePrefix('ui');
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'squadflow-ui-'));
  const env = {
    SQUADFLOW_NATS_URL: natsUrl(),
    SQUADFLOW_PREFIX: prefix,
    SQUADFLOW_LOG_LEVEL: 'warn',
    INVOCATION_LOG: join(dir, 'invocations.jsonl'),
  };
  const children: ChildHandle[] = [];
  const stop = async () => {
    await Promise.all(children.map((c) => c.stop()));
    await cleanupPrefix(prefix);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    children.push(
      await spawnTsProcess(
        CLI,
        { ...env, SQUADFLOW_PORT: String(port), SQUADFLOW_API_TOKENS: `ui:${TOKEN}:read+trigger+admin,viewer:${VIEWER_TOKEN}:read` },
        { label: `squadflow start ${prefix}`, args: ['start'] },
      ),
    );
    children.push(await spawnTsProcess(SQUAD, { ...env, SQUAD_NAME: TOOLS }, { label: `squad ${TOOLS} ${prefix}` }));
  } catch (err) {
    await stop();
    throw err;
  }
  const url = `http://127.0.0.1:${port}`;
  const api = async <T>(method: string, path: string, body?: unknown) => {
    const res = await fetch(url + path, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json().catch(() => undefined)) as T };
  };
  return {
    url,
    prefix,
    api,
    async register(definition) {
      const res = await api('PUT', `/v1/workflows/${definition.name}`, definition);
      if (res.status !== 201 && res.status !== 200)
        throw new Error(`registering ${definition.name}: ${res.status} ${JSON.stringify(res.body)}`);
    },
    async trigger(workflow, context = {}) {
      const res = await api<{ executionId: string }>('POST', `/v1/workflows/${workflow}/executions`, context);
      if (res.status !== 202 && res.status !== 200) throw new Error(`triggering ${workflow}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.executionId;
    },
    reaches: (id, test, what) =>
      until(
        `${id} ${what}`,
        async () => (await api<ExecutionBody>('GET', `/v1/executions/${id}`)).body,
        (e) => e !== undefined && test(e),
      ),
    stop,
  };
}
