import { SquadflowError } from '@squadflow/shared';
import type { GatewayConfig } from '../config.ts';

/**
 * A port in use or refused is the operator's setting, not a bug: an
 * INVALID_CONFIG naming the variable to change (the CLI exits 2 with it).
 */
export function listenError(err: NodeJS.ErrnoException, config: GatewayConfig): Error {
  const where = `${config.host}:${config.port}`;
  if (err.code === 'EADDRINUSE') {
    return new SquadflowError(
      'INVALID_CONFIG',
      `cannot listen on ${where}: the address is already in use`,
      [
        {
          path: 'SQUADFLOW_PORT',
          message: `port ${config.port} is taken (is squadflow already running?): stop what holds it, or set SQUADFLOW_PORT to a free port (0 picks one)`,
        },
      ],
      { cause: err },
    );
  }
  if (err.code === 'EACCES' || err.code === 'EADDRNOTAVAIL') {
    return new SquadflowError(
      'INVALID_CONFIG',
      `cannot listen on ${where}: ${err.code === 'EACCES' ? 'permission denied' : 'no such local address'}`,
      [{ path: err.code === 'EACCES' ? 'SQUADFLOW_PORT' : 'SQUADFLOW_HOST', message: err.message }],
      { cause: err },
    );
  }
  return err;
}
