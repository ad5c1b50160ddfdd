/**
 * Matrix A4, replay / upgrade compatibility: state persisted by earlier
 * versions (test/reliability/fixtures/replay/v<N>/, recorded by
 * record-replay-fixtures.ts) must restore on this one, and the rest of its
 * events must produce the same commands in the same order and the same end.
 *
 * When a fixture fails here, the change broke data that deployments of the
 * fixture's version hold: add a migration so the fixture restores as it is,
 * or, for a deliberate and documented break, record a new fixture version.
 * Never edit a recorded fixture to make this pass.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryTransport, ManualClock, type Transport } from '@squadflow/transport';
import { withNatsTransport } from '@squadflow/transport/testing';
import { readFixture, replay, UPGRADE_RULE } from './replay/fixture.ts';

const ROOT = fileURLToPath(new URL('fixtures/replay/', import.meta.url));
const files = readdirSync(ROOT, { withFileTypes: true })
  .filter((v) => v.isDirectory() && /^v\d+$/.test(v.name))
  .flatMap((v) => readdirSync(join(ROOT, v.name)).map((f) => join(v.name, f)))
  .filter((f) => f.endsWith('.json'))
  .sort();

const adapters: Record<string, (clock: ManualClock) => Promise<{ transport: Transport; prefix: string; cleanup(): Promise<void> }>> = {
  memory: async (clock) => {
    const transport = createMemoryTransport({ clock });
    return { transport, prefix: 'rpl', cleanup: () => transport.close() };
  },
  nats: (clock) => withNatsTransport('rpl', { clock }),
};

describe('A4: replay fixtures of earlier versions', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  it('there are fixtures to replay', () => {
    expect(files.length).toBeGreaterThanOrEqual(3);
  });

  for (const file of files) {
    for (const [adapter, open] of Object.entries(adapters)) {
      it(`${file} restores on ${adapter} and replays to the recorded commands and end`, { timeout: 60_000 }, async () => {
        const fixture = readFixture(join(ROOT, file));
        const clock = new ManualClock(fixture.clockAt);
        const { transport, prefix, cleanup } = await open(clock);
        cleanups.push(cleanup);
        const got = await replay(fixture, transport, clock, prefix).catch((err: unknown) => {
          throw new Error(`${file} did not replay on ${adapter}: ${(err as Error).message}. ${UPGRADE_RULE}`, { cause: err });
        });
        expect(got, `${file} on ${adapter}: ${UPGRADE_RULE}`).toEqual(fixture.expected);
      });
    }
  }

  it('a fixture this version cannot read fails naming the file, the fields and what to do', () => {
    const dir = mkdtempSync(join(tmpdir(), 'squadflow-replay-'));
    try {
      const path = join(dir, 'broken.json');
      writeFileSync(path, JSON.stringify({ format: 2, name: 'x' }));
      expect(() => readFixture(path)).toThrow(/broken\.json cannot be read by this version: format: .*Never edit a recorded fixture/);
      writeFileSync(path, '{ not json');
      expect(() => readFixture(path)).toThrow(/is not JSON .*needs a migration/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
