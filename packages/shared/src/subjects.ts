import { SquadflowError } from './errors.ts';
import type { InboundMessage } from './messages/inbound.ts';
import { PARTITIONS, partitionOf } from './partitions.ts';

/**
 * Every subject, stream, consumer and KV bucket name is built here. A prefix
 * (default `sqf`) isolates deployments and test runs on one NATS server.
 *
 * Subjects (`p` = prefix):
 * - `p.in.trigger.<workflow>`   trigger events (engine API and outside services)
 * - `p.in.trigger.<part>.<execution>` a trigger handed to its partition's holder
 * - `p.in.reply.<part>.<execution>`     step replies from squads
 * - `p.in.signal.<key>`                 signals by correlation key (key encoded)
 * - `p.in.control.<part>.<execution>`   cancel / escalation resolution
 * - `p.in.heartbeat.<part>.<execution>` progress of long-running actions
 *   (`<part>`: the execution's partition, `partitionOf`; a replica consumes
 *   one partition with one filter, `p.in.*.<part>.>`, and triggers and
 *   signals, which name no execution yet, with `p.in.*.*`)
 * - `p.cmd.<squad>.<action>`    step commands for squads (work queue)
 * - `p.lc.<workflow>.<type>`    lifecycle events (`type` is e.g. `execution.completed`)
 * - `p.alert.<rule>.<state>`    alert events (`firing` / `resolved`), kept by the lifecycle stream (docs/alerts.md)
 * - `p.sched.changed`           schedule change notices (core NATS, no stream)
 * - `p.svc.<squad>.<action>`    an action's description endpoint (NATS services API)
 * - `p.archive.<execution>`     ended executions moved out of the hot store (stream `P_ARCHIVE`, docs/retention.md)
 *
 * KV buckets are `p_<name>`; on NATS each is a stream `KV_p_<name>` (`kvStreamName`).
 */
export interface Names {
  readonly prefix: string;
  trigger(workflow: string): string;
  /**
   * A trigger handed by the orchestrator replica that took it to the holder of
   * its execution's partition: `p.in.trigger.<part>.<execution>`.
   */
  startIn(executionId: string): string;
  reply(executionId: string): string;
  signal(key: string): string;
  control(executionId: string): string;
  heartbeat(executionId: string): string;
  command(squad: string, action: string): string;
  /** All commands of one squad. */
  squadCommands(squad: string): string;
  lifecycle(workflow: string, type: string): string;
  /** Subscription filter for lifecycle events: any workflow and/or any type by default (`p.lc.*.execution.completed`). */
  lifecycleFilter(options?: { workflow?: string; type?: string }): string;
  /** Core subject of schedule change notices; no stream captures it. */
  readonly scheduleChanged: string;
  /** Whether `subject` lies under the prefix: our own streams capture those, so outside events must not use them. */
  ownsSubject(subject: string): boolean;
  readonly inboundAll: string;
  /** Filter of one partition's inbound messages (`p.in.*.<part>.>`): replies, controls, heartbeats of its executions. */
  inboundPartition(partition: number): string;
  /**
   * Filter of the inbound messages that name no partition (`p.in.*.*`):
   * triggers and signals, whose subjects have four tokens (workflow names
   * and encoded keys hold no dot), and replies of an older version.
   */
  readonly inboundEntry: string;
  /** Subscription filter for one kind of inbound message: `p.in.reply.>`. */
  inboundFilter(kind: InboundMessage['kind']): string;
  readonly commandsAll: string;
  readonly lifecycleAll: string;
  /** Subject of an alert event: `p.alert.<rule>.<firing|resolved>`. */
  alert(rule: string, state: 'firing' | 'resolved'): string;
  /** Every alert event (the lifecycle stream captures them too). */
  readonly alertsAll: string;
  /** Subject of one execution's archived record (one message per execution). */
  archive(executionId: string): string;
  /** Every archived execution. */
  readonly archiveAll: string;
  /** `events` captures the outside subjects that workflows' `events` listen to. */
  readonly streams: { inbound: string; commands: string; lifecycle: string; events: string; archive: string };
  readonly buckets: {
    executions: string;
    timers: string;
    workflows: string;
    waits: string;
    idempotency: string;
    squads: string;
    schedules: string;
    breakers: string;
    slots: string;
    /** Signals that arrived while nothing waited on their key (kept for lookback; ttl and size bound). */
    signals: string;
    /** Failed or unfinished tries of events, per execution and event: the poison-event counters. */
    attempts: string;
    /** The gateway's webhook delivery ledger. */
    webhooks: string;
    /** The gateway's WhatsApp message statuses. */
    whatsappStatuses: string;
    /** The gateway's pointer from a WhatsApp phone to its conversation execution (docs/gateway.md). */
    whatsappConversations: string;
    /** Seed 004's leads with their status history, written by the WhatsApp squad, read by the gateway (`LeadRecordSchema`). */
    leads: string;
    /** When each ended execution is due to leave the hot store (`<due minute>.<execution id>`, docs/retention.md). */
    retention: string;
    /** The listing index of executions: keys of those in flight (`<status>.<workflow>.<execution id>`), ended counts. */
    executionIndex: string;
    /** Creation logs of executions (newest-first pages without a scan; engine/src/store/creation-log.ts). */
    executionLog: string;
    /** Alert states (one record per alert, compare-and-set) and the evaluator's lease (docs/alerts.md). */
    alerts: string;
    /** The notifier's delivery ledger (`<event>.<recipient>.<channel>`) and counters. */
    notifications: string;
    /** Orchestrator replicas' partition leases (`lease.<part>`) and membership heartbeats (`member.<replica>`). */
    leases: string;
  };
  /** A bucket of a squad's own state (`p_<name>`, e.g. `p_inventory`). */
  squadBucket(name: string): string;
  /** Whether a JetStream stream belongs to the prefix: its own streams (`P_...`) and its buckets' (`KV_p_...`). */
  ownsStream(name: string): boolean;
  /**
   * NATS services API: a squad's service name, `squadflow-<p>-<squad>` (the
   * prefix is part of it because several deployments or test runs may share
   * one NATS server), and the subject of an action's description endpoint.
   */
  readonly services: { name(squad: string): string; describe(squad: string, action: string): string };
  readonly consumers: {
    /** The orchestrators' shared consumer of triggers and signals (`inboundEntry`). */
    orchestrator: string;
    /** The durable consumer of one partition, bound by the replica that holds its lease. */
    partition(partition: number): string;
    events: string;
    squad(squad: string): string;
    notifier(feed: string): string;
  };
}

const PREFIX = /^[a-z][a-z0-9_]{0,31}$/;
const BUCKET_SUFFIX = /^[a-z][a-z0-9_]*$/;

export function names(prefix = 'sqf'): Names {
  if (!PREFIX.test(prefix)) {
    throw new SquadflowError('INVALID_CONFIG', 'invalid prefix', [
      { path: 'prefix', message: 'lowercase letter, then lowercase letters, digits or "_" (max 32)' },
    ]);
  }
  const up = prefix.toUpperCase();
  return {
    prefix,
    trigger: (workflow) => `${prefix}.in.trigger.${token(workflow)}`,
    startIn: (executionId) => `${prefix}.in.trigger.${partitionOf(token(executionId))}.${executionId}`,
    reply: (executionId) => `${prefix}.in.reply.${partitionOf(token(executionId))}.${executionId}`,
    signal: (key) => `${prefix}.in.signal.${encodeToken(key)}`,
    control: (executionId) => `${prefix}.in.control.${partitionOf(token(executionId))}.${executionId}`,
    heartbeat: (executionId) => `${prefix}.in.heartbeat.${partitionOf(token(executionId))}.${executionId}`,
    command: (squad, action) => `${prefix}.cmd.${token(squad)}.${token(action)}`,
    squadCommands: (squad) => `${prefix}.cmd.${token(squad)}.>`,
    lifecycle: (workflow, type) => `${prefix}.lc.${token(workflow)}.${type}`,
    lifecycleFilter: (options = {}) => `${prefix}.lc.${options.workflow ? token(options.workflow) : '*'}.${options.type ?? '>'}`,
    scheduleChanged: `${prefix}.sched.changed`,
    ownsSubject: (subject) => subject.startsWith(`${prefix}.`),
    inboundAll: `${prefix}.in.>`,
    inboundPartition: (partition) => `${prefix}.in.*.${partitionToken(partition)}.>`,
    inboundEntry: `${prefix}.in.*.*`,
    inboundFilter: (kind) => `${prefix}.in.${kind}.>`,
    commandsAll: `${prefix}.cmd.>`,
    lifecycleAll: `${prefix}.lc.>`,
    alert: (rule, state) => `${prefix}.alert.${token(rule)}.${state}`,
    alertsAll: `${prefix}.alert.>`,
    archive: (executionId) => `${prefix}.archive.${token(executionId)}`,
    archiveAll: `${prefix}.archive.>`,
    streams: { inbound: `${up}_IN`, commands: `${up}_CMD`, lifecycle: `${up}_LC`, events: `${up}_EV`, archive: `${up}_ARCHIVE` },
    buckets: {
      executions: `${prefix}_exec`,
      timers: `${prefix}_timers`,
      workflows: `${prefix}_wf`,
      waits: `${prefix}_waits`,
      idempotency: `${prefix}_idem`,
      squads: `${prefix}_squads`,
      schedules: `${prefix}_schedules`,
      breakers: `${prefix}_breakers`,
      slots: `${prefix}_slots`,
      signals: `${prefix}_signals`,
      attempts: `${prefix}_attempts`,
      webhooks: `${prefix}_webhooks`,
      whatsappStatuses: `${prefix}_wa_status`,
      whatsappConversations: `${prefix}_wa_conv`,
      leads: `${prefix}_leads`,
      retention: `${prefix}_retention`,
      executionIndex: `${prefix}_exec_idx`,
      executionLog: `${prefix}_exec_log`,
      alerts: `${prefix}_alerts`,
      notifications: `${prefix}_notify`,
      leases: `${prefix}_leases`,
    },
    squadBucket: (name) => {
      if (!BUCKET_SUFFIX.test(name)) throw new SquadflowError('INVALID_ARGUMENT', `invalid bucket name ${JSON.stringify(name)}`);
      return `${prefix}_${name}`;
    },
    ownsStream: (name) => name.startsWith(`${up}_`) || name.startsWith(kvStreamName(`${prefix}_`)),
    services: {
      name: (squad) => `squadflow-${prefix}-${token(squad)}`,
      describe: (squad, action) => `${prefix}.svc.${token(squad)}.${token(action)}`,
    },
    consumers: {
      orchestrator: `${up}_orchestrator`,
      partition: (partition) => `${up}_orch_p${partitionToken(partition)}`,
      events: `${up}_events`,
      squad: (squad) => `${up}_squad_${token(squad)}`,
      // One durable consumer per feed the notifier follows (NATS 2.9 takes one filter subject per consumer).
      notifier: (feed) => `${up}_notifier_${token(feed)}`,
    },
  };
}

const VALID_BUCKET = /^[-\w]+$/;

/** Throws `INVALID_ARGUMENT` unless `bucket` is a valid KV bucket name (the NATS client's rule). */
export function validateBucketName(bucket: string): void {
  if (!VALID_BUCKET.test(bucket)) throw new SquadflowError('INVALID_ARGUMENT', `invalid bucket name ${JSON.stringify(bucket)}`);
}

/** The JetStream stream that holds a KV bucket on NATS. */
export function kvStreamName(bucket: string): string {
  validateBucketName(bucket);
  return `KV_${bucket}`;
}

/** The subject prefix under which NATS stores a KV bucket's keys (`$KV.<bucket>.<key>`). */
export function kvSubjectPrefix(bucket: string): string {
  validateBucketName(bucket);
  return `$KV.${bucket}.`;
}

function partitionToken(partition: number): number {
  if (!Number.isInteger(partition) || partition < 0 || partition >= PARTITIONS) {
    throw new SquadflowError('INVALID_ARGUMENT', `invalid partition ${partition} (0 to ${PARTITIONS - 1})`);
  }
  return partition;
}

const SAFE_TOKEN = /^[A-Za-z0-9_-]+$/;

/** A token we generate ourselves (names, ids): checked, not encoded. */
function token(value: string): string {
  if (!SAFE_TOKEN.test(value)) throw new SquadflowError('INVALID_ARGUMENT', `unsafe subject token ${JSON.stringify(value)}`);
  return value;
}

/**
 * Encodes an outside string (a phone number, a message id) into a KV key or
 * subject token: `[A-Za-z0-9_-]` stay, every other UTF-8 byte becomes `=XX`.
 * Reversible and injective, so distinct keys never collide.
 */
export function encodeToken(value: string): string {
  if (value === '') throw new SquadflowError('INVALID_ARGUMENT', 'empty key');
  let out = '';
  for (const byte of new TextEncoder().encode(value)) {
    const ch = String.fromCharCode(byte);
    out += /[A-Za-z0-9_-]/.test(ch) ? ch : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export function decodeToken(encoded: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < encoded.length; i++) {
    if (encoded[i] === '=') {
      bytes.push(parseInt(encoded.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(encoded.charCodeAt(i));
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}
