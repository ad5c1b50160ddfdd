import { createHash } from 'node:crypto';
import { compileExpression, evaluateCondition, SquadflowError, type Logger, type Names, type WorkflowDefinition } from '@squadflow/shared';
import type { EngineClient } from '../client/engine-client.ts';
import type { Consumer, DeliveredMessage, Transport } from '@squadflow/transport';
import type { WorkflowRegistry } from '../store/registry.ts';

type EventRule = NonNullable<WorkflowDefinition['events']>[number] & { workflow: string };

const REFRESH_MS = 5_000;
const decoder = new TextDecoder();

/**
 * Routes events that outside services publish on their own subjects
 * (`zendesk.ticket.created`) to workflows whose definition lists them in
 * `events`: an event either starts an execution (idempotently: a redelivered
 * event starts nothing twice) or becomes a signal to a running one. The
 * subjects are captured by one stream (`<P>_EV`), kept in line with the
 * registered workflows (re-read every few seconds, so a workflow registered
 * by another process is picked up).
 */
export class EventRouter {
  private rules: EventRule[] = [];
  private subjects = '';
  /** One durable consumer per listened subject, so overlapping patterns never route an event twice. */
  private readonly consumers = new Map<string, Consumer>();
  private timer?: ReturnType<typeof setInterval>;

  constructor(
    private readonly deps: { transport: Transport; names: Names; registry: WorkflowRegistry; client: EngineClient; logger: Logger },
  ) {}

  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(
      () => void this.refresh().catch((err: unknown) => this.deps.logger.warn({ err }, 'event routes refresh failed')),
      REFRESH_MS,
    );
    this.timer.unref?.();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await Promise.all([...this.consumers.values()].map((c) => c.stop()));
  }

  /** Re-reads the latest definitions; widens the events stream and starts consuming when needed. */
  async refresh(): Promise<void> {
    const { registry, names: n, transport, logger } = this.deps;
    const rules: EventRule[] = [];
    for (const summary of await registry.list()) {
      const def = await registry.definition(summary.name);
      for (const rule of def.events ?? []) {
        // Our own subjects belong to other streams: JetStream refuses overlapping streams.
        if (n.ownsSubject(rule.subject))
          logger.error({ workflow: def.name, subject: rule.subject }, 'event subject uses the squadflow prefix; ignored');
        else rules.push({ ...rule, workflow: def.name });
      }
    }
    this.rules = rules;
    const subjects = [...new Set(rules.map((r) => r.subject))].sort();
    if (!subjects.length || subjects.join(' ') === this.subjects) return;
    await transport.streams.ensure({
      name: n.streams.events,
      subjects,
      retention: 'limits',
      maxAgeMs: 86_400_000,
      duplicateWindowMs: 120_000,
    });
    this.subjects = subjects.join(' ');
    for (const subject of subjects) {
      if (this.consumers.has(subject)) continue;
      const durable = `${n.consumers.events}_${createHash('sha256').update(subject).digest('hex').slice(0, 12)}`;
      const consumer = await transport.streams.consume(
        n.streams.events,
        { durable, filterSubject: subject, maxAckPending: 64, ackWaitMs: 30_000 },
        (msg) => this.handle(subject, msg),
      );
      this.consumers.set(subject, consumer);
    }
    logger.info({ subjects }, 'listening to events');
  }

  private async handle(listened: string, msg: DeliveredMessage): Promise<void> {
    let event: unknown;
    try {
      event = JSON.parse(decoder.decode(msg.data));
    } catch {
      this.deps.logger.warn({ subject: msg.subject }, 'event is not JSON; dropped');
      msg.term();
      return;
    }
    if (!event || typeof event !== 'object' || Array.isArray(event)) {
      this.deps.logger.warn({ subject: msg.subject }, 'event is not a JSON object; dropped');
      msg.term();
      return;
    }
    const digest = createHash('sha256').update(msg.subject).update('\u0000').update(msg.data).digest('hex').slice(0, 32);
    for (const rule of this.rules.filter((r) => r.subject === listened)) {
      await this.route(rule, event as Record<string, unknown>, msg.subject, digest);
    }
    msg.ack();
  }

  private async route(rule: EventRule, event: Record<string, unknown>, subject: string, digest: string): Promise<void> {
    const scope = { context: event, steps: {}, execution: { id: '', workflow: rule.workflow } };
    const log = this.deps.logger.child({ workflow: rule.workflow, subject });
    try {
      if (rule.condition && !(await evaluateCondition(rule.condition, scope))) return;
      const key = rule.idempotencyKey ? String(await compileExpression(rule.idempotencyKey).evaluate(scope)) : digest;
      if (rule.signal) {
        const correlation = await compileExpression(rule.signal).evaluate(scope);
        if (typeof correlation !== 'string' || !correlation) throw new SquadflowError('INVALID_EXPRESSION', 'events.signal gave no key');
        await this.deps.client.signal(correlation, event, { signalId: `event.${rule.workflow}.${key}` });
        return;
      }
      const context = rule.context ? await compileExpression(rule.context).evaluate(scope) : event;
      await this.deps.client.trigger(rule.workflow, context, { idempotencyKey: `event:${key}` });
    } catch (err) {
      // A bad event (fails the workflow's context schema, an expression error) is reported, not retried forever.
      log.warn({ err: err instanceof SquadflowError ? err.toJSON() : err }, 'event not routed');
    }
  }
}
