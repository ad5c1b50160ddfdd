/**
 * `node dist/healthcheck.mjs <health file | URL> [--max-age 20s]`: the
 * containers' health check (docker-compose.yml). Exit 0 healthy, 1
 * unhealthy, 2 usage; one line on stdout saying why.
 */
import { checkHealth, parseHealthCheckArgs } from '../health-check.ts';

let code: number;
try {
  const { target, maxAgeMs } = parseHealthCheckArgs(process.argv.slice(2));
  const verdict = await checkHealth(target, { maxAgeMs });
  process.stdout.write(`${verdict.ok ? 'healthy' : 'unhealthy'}: ${verdict.reason}\n`);
  code = verdict.ok ? 0 : 1;
} catch (err) {
  process.stderr.write(`healthcheck: ${(err as Error).message}\n`);
  code = 2;
}
process.exitCode = code;
