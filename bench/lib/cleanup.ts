/**
 * Everything a run creates (child processes, NATS prefixes, connections)
 * registers an undo here, so a failure, Ctrl-C or SIGTERM still leaves the
 * shared NATS server and the machine as they were.
 */
type Task = () => Promise<unknown> | unknown;

const tasks = new Map<number, { label: string; run: Task }>();
/** Last-resort synchronous kills for `process.on('exit')` (no awaiting there). */
const pids = new Set<number>();
let nextId = 0;
let running: Promise<void> | undefined;

/** Registers an undo; returns a function that runs it now (once) and unregisters it. */
export function onCleanup(label: string, run: Task): () => Promise<void> {
  const id = nextId++;
  tasks.set(id, { label, run });
  return async () => {
    const task = tasks.get(id);
    if (!task) return;
    tasks.delete(id);
    await task.run();
  };
}

export function trackPid(pid: number): () => void {
  pids.add(pid);
  return () => pids.delete(pid);
}

/** Runs every pending undo, newest first (processes stop before their prefix is deleted). */
export function runCleanup(): Promise<void> {
  running ??= (async () => {
    for (const [id, task] of [...tasks.entries()].reverse()) {
      tasks.delete(id);
      try {
        await task.run();
      } catch (err) {
        process.stderr.write(`cleanup "${task.label}" failed: ${String(err)}\n`);
      }
    }
  })();
  return running;
}

export function installCleanupHandlers(): void {
  const abort = (code: number) => (): void => {
    process.stderr.write('\ninterrupted: stopping processes and deleting bench prefixes...\n');
    void runCleanup().finally(() => process.exit(code));
  };
  process.once('SIGINT', abort(130));
  process.once('SIGTERM', abort(143));
  process.on('unhandledRejection', (err) => {
    process.stderr.write(`unhandled rejection: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    void runCleanup().finally(() => process.exit(1));
  });
  process.on('exit', () => {
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}
