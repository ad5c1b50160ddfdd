import { SquadflowError } from './errors.ts';

/** Exit code of a bad configuration, as the CLI's USAGE for INVALID_CONFIG. */
export const EXIT_INVALID_CONFIG = 2;

/**
 * Runs one boot step of a process entry point (orchestrator, gateway). An
 * `INVALID_CONFIG` is the operator's to fix, not a crash: the process writes
 * `<component>: <message>` (naming the variable, file or field) to stderr
 * and exits 2 without a stack trace. Anything else is rethrown.
 */
export async function bootOrExit<T>(component: string, step: () => Promise<T> | T): Promise<T> {
  try {
    return await step();
  } catch (err) {
    if (!(err instanceof SquadflowError) || err.code !== 'INVALID_CONFIG') throw err;
    process.stderr.write(`${component}: ${err.message}\n`);
    process.exit(EXIT_INVALID_CONFIG);
  }
}
