/**
 * The least-privilege NATS authorization for a squadflow deployment: one
 * user per service (orchestrator, gateway, one per squad, the notifier, operator), each
 * allowed exactly the subjects it publishes and subscribes to, derived from
 * the subject grammar (packages/shared/src/subjects.ts) and the JetStream API
 * calls the transport makes. docs/security.md explains every grant.
 *
 *   node --import tsx scripts/nats-authorization.ts [prefix] [squad[:bucket+bucket]]... > authorization.conf
 *   (`squad:bucket+bucket:workflow+workflow` also lets the squad publish those workflows' triggers)
 *
 * Without squads it renders the catalog's (`DEPLOY_SQUADS`): that is
 * deploy/nats/authorization.conf, which a test keeps equal to the rendering.
 *
 * Passwords are not in the file: each user's is read by nats-server from the
 * environment variable `SQUADFLOW_NATS_<USER>_PASSWORD` (e.g.
 * `SQUADFLOW_NATS_SQUAD_INVENTORY_PASSWORD`). There is no `no_auth_user`:
 * a connection without credentials is refused.
 *
 * Each connection's request inbox is `_INBOX_<user>` (the transport derives
 * it from the user in `SQUADFLOW_NATS_URL`), and each user may subscribe to
 * its own inbox only, so no service can read the replies another one gets
 * (a KV read of execution state is a reply).
 */
import { kvStreamName, names } from '@squadflow/shared';
import { AGENCY_SQUAD, HANDOFF_CHAIN } from '@squadflow/squads/catalog';

export interface SquadGrant {
  name: string;
  /** The squad's own KV buckets (`<prefix>_<bucket>`, e.g. `inventory`). */
  buckets?: string[];
  /** Workflows the squad may start by publishing their trigger (`<prefix>.in.trigger.<workflow>`): the agency's chained handoffs. */
  triggers?: readonly string[];
}

/**
 * The squads of the catalog as `squadflow squad <name>` runs them, for
 * deploy/nats/authorization.conf. Every seed squad process opens the four
 * seed stores (packages/squads/src/catalog/index.ts, `createSeedSquads`), so
 * each is granted all four; see docs/security.md.
 */
const SEED_BUCKETS = ['inventory', 'ads', 'whatsapp_outbox', 'leads'];
/** The LLM answerer's conversation histories hold leads' messages: only the whatsapp squad may open them (docs/llm.md). */
const WHATSAPP_BUCKETS = [...SEED_BUCKETS, 'whatsapp_history'];
export const DEPLOY_SQUADS: SquadGrant[] = [
  ...['inventory', 'whatsapp', 'traffic', 'lead_scraper', 'google_ads'].map((name) => ({
    name,
    buckets: name === 'whatsapp' ? WHATSAPP_BUCKETS : SEED_BUCKETS,
  })),
  // `execute_handoff` starts the next handoff (docs/handoffs.md): the five handoff workflows' triggers, no other.
  { name: AGENCY_SQUAD, triggers: HANDOFF_CHAIN },
];

export interface AuthorizationOptions {
  prefix: string;
  squads: SquadGrant[];
}

interface Permissions {
  publish: string[];
  subscribe: string[];
  /** May answer requests it received (services API, JetStream flow control), to their reply subject only. */
  allowResponses?: boolean;
}

/** The user names, as they appear in the file and in `SQUADFLOW_NATS_URL`. */
export const squadUser = (squad: string): string => `squad_${squad}`;
export const passwordVariable = (user: string): string => `SQUADFLOW_NATS_${user.toUpperCase()}_PASSWORD`;
export const inboxOf = (user: string): string => `_INBOX_${user}`;

export function permissionsOf(options: AuthorizationOptions): Record<string, Permissions> {
  const n = names(options.prefix);
  const p = n.prefix;
  const api = '$JS.API';
  const streams = [n.streams.inbound, n.streams.commands, n.streams.lifecycle];
  const kvStream = (bucket: string) => kvStreamName(bucket);
  /** Open an existing bucket and read keys (direct get, as Kvm uses on 2.9). */
  const kvRead = (bucket: string) => [
    `${api}.STREAM.INFO.${kvStream(bucket)}`,
    `${api}.DIRECT.GET.${kvStream(bucket)}`,
    `${api}.DIRECT.GET.${kvStream(bucket)}.>`,
    `${api}.STREAM.MSG.GET.${kvStream(bucket)}`,
  ];
  /** An ephemeral consumer on a stream: create, pull, delete. */
  const ephemeralConsumer = (stream: string) => [
    `${api}.CONSUMER.CREATE.${stream}`,
    `${api}.CONSUMER.CREATE.${stream}.>`,
    `${api}.CONSUMER.DELETE.${stream}.>`,
    `${api}.CONSUMER.INFO.${stream}.>`,
    `${api}.CONSUMER.MSG.NEXT.${stream}.>`,
  ];
  /** List keys or entries: an ordered consumer on the bucket's stream. */
  const kvList = (bucket: string) => ephemeralConsumer(kvStream(bucket));
  /** Writes (put, create, compare-and-set, delete) go to the key's subject. */
  const kvWrite = (bucket: string, key = '>') => [...kvRead(bucket), `$KV.${bucket}.${key}`];
  /** Creating the bucket on first start (a bucket that exists is only opened). */
  const kvCreate = (bucket: string) => [`${api}.STREAM.CREATE.${kvStream(bucket)}`];
  const b = n.buckets;
  const engineBuckets = [b.executions, b.timers, b.workflows, b.waits, b.idempotency, b.squads, b.schedules, b.breakers, b.slots];

  const result: Record<string, Permissions> = {
    // The control plane: it defines the streams, the consumers and the engine's buckets.
    orchestrator: {
      publish: [
        `${p}.>`,
        `${api}.>`,
        '$JS.ACK.>',
        ...[...engineBuckets, b.signals, b.attempts, b.executionIndex, b.executionLog, b.retention, b.alerts, b.leases].map(
          (bucket) => `$KV.${bucket}.>`,
        ),
      ],
      subscribe: [`${inboxOf('orchestrator')}.>`, n.scheduleChanged],
      allowResponses: true,
    },
    // HTTP in front of NATS: triggers, signals and controls in; reads of state for the API (docs/security.md).
    gateway: {
      publish: [
        `${p}.in.trigger.>`,
        `${p}.in.signal.>`,
        `${p}.in.control.>`,
        `${api}.INFO`,
        ...streams.map((s) => `${api}.STREAM.INFO.${s}`),
        // The execution page shows the timers an execution armed (never writes them).
        ...kvRead(b.timers),
        // Live events (`GET /v1/events`): a no-ack consumer on the lifecycle stream per open stream, deleted when it closes;
        // and one the gateway keeps for its execution metrics (docs/metrics.md).
        ...ephemeralConsumer(n.streams.lifecycle),
        // `GET /v1/squads`: the services API's INFO and STATS (answers come to the gateway's inbox).
        '$SRV.INFO',
        '$SRV.INFO.>',
        '$SRV.STATS',
        '$SRV.STATS.>',
        // /metrics reports the work streams' consumer backlogs (routes/backlog-gauges.ts): a consumer listing each.
        ...[n.streams.inbound, n.streams.commands].map((s) => `${api}.CONSUMER.LIST.${s}`),
        ...[b.executions, b.workflows, b.waits, b.breakers, b.slots].flatMap(kvRead),
        ...[b.executions, b.workflows, b.breakers].flatMap(kvList),
        // The pending record of a trigger, and workflow registration.
        ...kvWrite(b.executions),
        ...kvWrite(b.workflows),
        // The listing index follows every write of a record (a trigger's pending record too), and lists by key.
        ...kvWrite(b.executionIndex),
        ...kvList(b.executionIndex),
        // A pending key written ahead of a record another writer created first is forgotten (a purge: no marker).
        `${api}.STREAM.PURGE.${kvStream(b.executionIndex)}`,
        // Creation logs: a trigger's pending record is logged; its repeat entries are forgotten (a purge of their
        // subject, no delete marker left behind); pages read entries one by one.
        ...kvWrite(b.executionLog),
        `${api}.STREAM.PURGE.${kvStream(b.executionLog)}`,
        // Archived executions: one read by subject, and the JSON-lines export (docs/retention.md).
        `${api}.STREAM.INFO.${n.streams.archive}`,
        `${api}.STREAM.MSG.GET.${n.streams.archive}`,
        ...[b.webhooks, b.whatsappStatuses, b.whatsappConversations].flatMap((bucket) => [...kvWrite(bucket), ...kvCreate(bucket)]),
        // `GET /v1/leads`: seed 004's leads, which the WhatsApp squad writes (read, listed, created empty if absent).
        ...kvRead(b.leads),
        ...kvList(b.leads),
        ...kvCreate(b.leads),
        // Alert and notification metrics on /metrics: the evaluator's and the notifier's records, read (and the
        // buckets created, empty, with their bounds, when the gateway scrapes before either ran).
        ...[b.alerts, b.notifications].flatMap((bucket) => [...kvRead(bucket), ...kvList(bucket), ...kvCreate(bucket)]),
      ],
      subscribe: [`${inboxOf('gateway')}.>`],
      allowResponses: true,
    },
    // People and scripts (`squadflow` CLI, `nats`): everything under the prefix, and the JetStream API.
    operator: {
      publish: [`${p}.>`, `${api}.>`, '$JS.ACK.>', '$KV.>', '$SRV.>'],
      subscribe: [`${inboxOf('operator')}.>`, `${p}.>`, '$KV.>'],
      allowResponses: true,
    },
  };
  // The notifier (docs/alerts.md): its durable consumers on the lifecycle stream, its ledger, the WhatsApp outbox.
  const lc = n.streams.lifecycle;
  const feeds: Array<[string, string]> = [
    ['waiting', n.lifecycleFilter({ type: 'step.waiting' })],
    ['step_escalated', n.lifecycleFilter({ type: 'step.escalated' })],
    ['execution_escalated', n.lifecycleFilter({ type: 'execution.escalated' })],
    ['alerts', n.alertsAll],
  ];
  result['notifier'] = {
    publish: [
      `${api}.INFO`,
      ...streams.map((s) => `${api}.STREAM.INFO.${s}`),
      ...feeds.flatMap(([feed, filter]) => {
        const durable = n.consumers.notifier(feed);
        return [
          `${api}.CONSUMER.CREATE.${lc}.${durable}.${filter}`,
          `${api}.CONSUMER.DURABLE.CREATE.${lc}.${durable}`,
          `${api}.CONSUMER.INFO.${lc}.${durable}`,
          `${api}.CONSUMER.MSG.NEXT.${lc}.${durable}`,
          `$JS.ACK.${lc}.${durable}.>`,
        ];
      }),
      ...[b.notifications, n.squadBucket('whatsapp_outbox')].flatMap((bucket) => [
        ...kvWrite(bucket),
        ...kvCreate(bucket),
        ...kvList(bucket),
      ]),
    ],
    subscribe: [`${inboxOf('notifier')}.>`],
    allowResponses: true,
  };
  for (const squad of options.squads) {
    const user = squadUser(squad.name);
    const durable = n.consumers.squad(squad.name);
    const cmd = n.streams.commands;
    const own = (squad.buckets ?? []).map((bucket) => n.squadBucket(bucket));
    result[user] = {
      publish: [
        // Its replies and progress; no signals or controls, and triggers only of the workflows it is granted.
        `${p}.in.reply.>`,
        `${p}.in.heartbeat.>`,
        ...(squad.triggers ?? []).map((workflow) => n.trigger(workflow)),
        `${api}.INFO`,
        ...streams.map((s) => `${api}.STREAM.INFO.${s}`),
        // Its own durable, pinned to its own commands: the one consumer it may create (or update).
        `${api}.CONSUMER.CREATE.${cmd}.${durable}.${n.squadCommands(squad.name)}`,
        `${api}.CONSUMER.DURABLE.CREATE.${cmd}.${durable}`,
        `${api}.CONSUMER.INFO.${cmd}.${durable}`,
        `${api}.CONSUMER.MSG.NEXT.${cmd}.${durable}`,
        `$JS.ACK.${cmd}.${durable}.>`,
        // The squad-side idempotency ledger, its own entry in the squad directory, its own buckets. The first squad
        // to start creates the two shared buckets (the engine does not use them); it cannot change an existing one.
        ...kvWrite(b.idempotency),
        ...kvCreate(b.idempotency),
        ...kvRead(b.squads),
        ...kvCreate(b.squads),
        `$KV.${b.squads}.${squad.name}`,
        ...own.flatMap((bucket) => [...kvWrite(bucket), ...kvCreate(bucket)]),
      ],
      subscribe: [
        `${inboxOf(user)}.>`,
        // The NATS services API (discovery and the actions' description endpoints).
        '$SRV.PING',
        '$SRV.PING.>',
        '$SRV.INFO',
        '$SRV.INFO.>',
        '$SRV.STATS',
        '$SRV.STATS.>',
        `${p}.svc.${squad.name}.>`,
      ],
      allowResponses: true,
    };
  }
  return result;
}

const quote = (subject: string): string => JSON.stringify(subject);
const list = (subjects: string[]): string => `[\n${subjects.map((s) => `          ${quote(s)}`).join(',\n')}\n        ]`;

/** The `authorization { users = [...] }` block, as nats-server reads it (include it from the server config). */
export function renderAuthorization(options: AuthorizationOptions): string {
  const users = Object.entries(permissionsOf(options)).map(
    ([user, perms]) => `    {
      user: ${quote(user)}
      password: $${passwordVariable(user)}
      permissions: {
        publish: { allow: ${list(perms.publish)} }
        subscribe: { allow: ${list(perms.subscribe)} }${perms.allowResponses ? '\n        allow_responses: true' : ''}
      }
    }`,
  );
  return `# Generated by scripts/nats-authorization.ts for prefix "${options.prefix}" (squads: ${options.squads.map((s) => s.name).join(', ')}).
# Do not edit by hand: regenerate (see deploy/nats/README.md). Every grant is explained in docs/security.md.
# Passwords come from the environment of nats-server: SQUADFLOW_NATS_<USER>_PASSWORD.
# There is no no_auth_user: a connection without credentials is refused.
authorization {
  users = [
${users.join(',\n')}
  ]
}
`;
}

/** `squad`, `squad:bucket+bucket` or `squad:bucket:trigger+trigger` (buckets may be empty) → a grant. */
function parseSquad(arg: string): SquadGrant {
  const [name, buckets, triggers] = arg.split(':');
  return { name: name!, ...(buckets ? { buckets: buckets.split('+') } : {}), ...(triggers ? { triggers: triggers.split('+') } : {}) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [prefix = 'sqf', ...squads] = process.argv.slice(2);
  process.stdout.write(renderAuthorization({ prefix, squads: squads.length ? squads.map(parseSquad) : DEPLOY_SQUADS }));
}
