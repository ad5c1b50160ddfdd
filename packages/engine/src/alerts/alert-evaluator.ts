import {
  alertCodec,
  loadAlertsConfig,
  names,
  type AlertEvent,
  type AlertRule,
  type AlertsConfig,
  type Logger,
  type Names,
} from '@squadflow/shared';
import { ensureStreams, type Clock, type Transport } from '@squadflow/transport';
import { openStores } from '../store/open-stores.ts';
import { AlertLease } from './alert-lease.ts';
import { storeSources, type AlertSources } from './alert-sources.ts';
import { AlertStates } from './alert-states.ts';
import { observe } from './rule-observations.ts';

export interface AlertEvaluatorOptions {
  transport: Transport;
  prefix: string;
  logger: Logger;
  rules: AlertRule[];
  /** How often to look (`evaluateEvery` of the alerts file). */
  intervalMs: number;
  /** This evaluator's name in the lease (default: random). */
  holder?: string;
  /** Default: the transport's clock. */
  clock?: Clock;
}

/** The alert rules of this process (`SQUADFLOW_ALERTS`); throws `INVALID_CONFIG` naming the field of a bad file. */
export function loadAlertRules(env: Record<string, string | undefined> = process.env): Pick<AlertsConfig, 'rules' | 'evaluateEveryMs'> {
  const { rules, evaluateEveryMs } = loadAlertsConfig(env);
  return { rules, evaluateEveryMs };
}

/** What one look did. */
export interface AlertLook {
  fired: string[];
  resolved: string[];
  published: number;
}

/**
 * Evaluates the alert rules every `intervalMs` (docs/alerts.md) and emits
 * `alert.firing` / `alert.resolved` events on `p.alert.<rule>.<state>`.
 * Any number of orchestrator replicas may run one: a lease lets one look per
 * period, and the per-alert compare-and-set (alert-states.ts) makes each
 * change happen once even if two look at once.
 */
export class AlertEvaluator {
  private alarm: unknown;
  private running: Promise<AlertLook | undefined> | undefined;
  private stopped = false;

  private constructor(
    private readonly options: AlertEvaluatorOptions,
    private readonly n: Names,
    private readonly sources: AlertSources,
    readonly states: AlertStates,
    private readonly lease: AlertLease,
    private readonly clock: Clock,
  ) {}

  /** Opens the stores, looks once, and keeps looking every `intervalMs` until `stop`. */
  static async start(options: AlertEvaluatorOptions): Promise<AlertEvaluator> {
    const n = names(options.prefix);
    // The lifecycle stream must capture `p.alert.>` before the first event (idempotent; the orchestrator does it too).
    await ensureStreams(options.transport, n);
    const [stores, kv] = await Promise.all([openStores(options.transport, n, options.logger), options.transport.kv(n.buckets.alerts)]);
    const holder = options.holder ?? `evaluator-${Math.random().toString(36).slice(2, 10)}`;
    const clock = options.clock ?? options.transport.clock;
    const evaluator = new AlertEvaluator(options, n, storeSources(stores), new AlertStates(kv), new AlertLease(kv, holder), clock);
    evaluator.schedule(clock.now());
    return evaluator;
  }

  /** Stops looking; a look in progress finishes. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.alarm !== undefined) this.clock.clearTimer(this.alarm);
    await this.running;
  }

  /** One period: takes the lease (two periods long, so a dead holder's lapses) and looks; undefined when another holds it. */
  tick(): Promise<AlertLook | undefined> {
    this.running ??= (async () => {
      const now = this.clock.now();
      if (!(await this.lease.acquire(now, 2 * this.options.intervalMs))) return undefined;
      return this.evaluate();
    })().finally(() => (this.running = undefined));
    return this.running;
  }

  /** One look regardless of the lease: every rule observed, alerts changed by compare-and-set, pending events published. */
  async evaluate(): Promise<AlertLook> {
    const now = this.clock.now();
    const look: AlertLook = { fired: [], resolved: [], published: 0 };
    for (const rule of this.options.rules) {
      try {
        const active = await observe(rule, this.sources, now);
        for (const obs of active) if (await this.states.fire(obs, now)) look.fired.push(obs.alert);
        look.resolved.push(...(await this.states.resolveOthers(rule.id, new Set(active.map((o) => o.alert)), now)));
      } catch (err) {
        // One rule failing to look (a bucket unavailable) must not silence the others.
        this.options.logger.warn({ err, rule: rule.id }, 'alert rule not evaluated');
      }
    }
    look.published = await this.states.publishPending((event) => this.publish(event));
    if (look.fired.length || look.resolved.length) this.options.logger.info(look, 'alerts changed');
    return look;
  }

  private publish(event: AlertEvent): Promise<void> {
    const state = event.type === 'alert.firing' ? 'firing' : 'resolved';
    return this.options.transport.streams.publish(this.n.alert(event.rule, state), alertCodec.encode(event), { msgId: event.id });
  }

  private schedule(at: number): void {
    if (this.stopped) return;
    this.alarm = this.clock.setTimer(at, () => {
      void this.tick()
        .catch((err: unknown) => this.options.logger.warn({ err }, 'alert evaluation failed'))
        .finally(() => this.schedule(this.clock.now() + this.options.intervalMs));
    });
  }
}
