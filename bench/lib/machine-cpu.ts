/**
 * Whole-machine CPU per execution (every process of the run, the NATS
 * server included) and the throughput ceiling it implies on this machine's
 * cores: a closed loop can never run faster than cores ÷ CPU per execution.
 */
import { cpus } from 'node:os';
import type { CpuPerExecution } from './deployment.ts';
import { round } from './rss.ts';
import { ratio } from './table.ts';

type Row = [string, number | string, string, string, string];

export function totalCpuMs(cpu: Pick<CpuPerExecution, 'orchestratorMs' | 'squadsMs' | 'driverMs' | 'serverMs'>): number {
  return round(cpu.orchestratorMs + cpu.squadsMs + cpu.driverMs + cpu.serverMs, 3);
}

/** The ceiling, executions/s, when `ms` of CPU are spent per execution on every core of this machine. */
export function ceiling(ms: number): number {
  return Math.round((cpus().length * 1000) / ms);
}

export function machineRows(cpu: CpuPerExecution, floorTotalMs: number | undefined): Row[] {
  const total = totalCpuMs(cpu);
  if (Number.isNaN(total)) return [];
  return [
    ['all processes CPU per execution (incl. server)', total, 'ms', `(c) ${floorTotalMs ?? 'n/a'} ms`, ratio(total, floorTotalMs)],
    [`CPU ceiling on ${cpus().length} cores`, ceiling(total), 'exec/s', '', ''],
  ];
}
