/**
 * chain4 and fan16 as BullMQ flows (FlowProducer), and a runner that adds
 * one and resolves when its top job completed.
 *
 * In a BullMQ flow children run before their parent, so a chain is nested
 * children: step 4 is the parent of step 3, ..., step 1 the leaf, which runs
 * first; each step on its own queue, worked by its own process, as each of
 * squadflow's chain4 steps goes to its own squad. fan16 is a parent (the
 * join) with 16 children spread over the same four queues.
 */
import { FlowProducer, QueueEvents, type FlowJob } from 'bullmq';
import type { RunOne } from '../../lib/load.ts';

/** Four queues, one per worker process (squadflow's four squads). */
export const QUEUES = ['bench-q1', 'bench-q2', 'bench-q3', 'bench-q4'] as const;
/** Every flow's top job is on the last queue: one QueueEvents listener sees every completion. */
const TOP_QUEUE = QUEUES[3];
/** ~200 B of input, as squadflow's step commands carry. */
const DATA = { input: 'i'.repeat(180) };
const JOB_OPTIONS = { removeOnComplete: true, removeOnFail: 1000 };

export type PeerShape = 'chain4' | 'fan16';

function chain4(jobId: string): FlowJob {
  let job: FlowJob = { name: 'step1', queueName: QUEUES[0], data: DATA, opts: JOB_OPTIONS };
  for (let i = 1; i < 4; i++) {
    job = { name: `step${i + 1}`, queueName: QUEUES[i]!, data: DATA, opts: JOB_OPTIONS, children: [job] };
  }
  return { ...job, opts: { ...JOB_OPTIONS, jobId } };
}

function fan16(jobId: string): FlowJob {
  const children = Array.from({ length: 16 }, (_, i): FlowJob => ({
    name: `branch${i}`,
    queueName: QUEUES[i % 4]!,
    data: DATA,
    opts: JOB_OPTIONS,
  }));
  return { name: 'join', queueName: TOP_QUEUE, data: DATA, opts: { ...JOB_OPTIONS, jobId }, children };
}

const SHAPES: Record<PeerShape, (jobId: string) => FlowJob> = { chain4, fan16 };

interface Waiter {
  resolve: () => void;
  reject: (err: Error) => void;
}

export class FlowRunner {
  private readonly waiters = new Map<string, Waiter>();
  private next = 0;
  /** Flows completed since the runner opened (CPU per execution divides by it). */
  completed = 0;

  private constructor(
    private readonly producer: FlowProducer,
    private readonly events: QueueEvents,
  ) {
    events.on('completed', ({ jobId }) => this.settle(jobId));
    events.on('failed', ({ jobId, failedReason }) => this.settle(jobId, new Error(failedReason)));
  }

  static async open(port: number): Promise<FlowRunner> {
    const connection = { host: '127.0.0.1', port, maxRetriesPerRequest: null };
    const producer = new FlowProducer({ connection });
    const events = new QueueEvents(TOP_QUEUE, { connection });
    await Promise.all([producer.waitUntilReady(), events.waitUntilReady()]);
    return new FlowRunner(producer, events);
  }

  /** One flow of `shape`, resolved when its top job completed. */
  runner(shape: PeerShape): RunOne {
    return async () => {
      // The id is ours, and the waiter registered before the add: a completion cannot arrive unseen.
      const jobId = `${shape}-${this.next++}`;
      const done = new Promise<void>((resolve, reject) => this.waiters.set(jobId, { resolve, reject }));
      await this.producer.add(SHAPES[shape](jobId));
      await done;
    };
  }

  async close(): Promise<void> {
    await Promise.all([this.producer.close(), this.events.close()]);
  }

  private settle(jobId: string, err?: Error): void {
    const waiter = this.waiters.get(jobId);
    if (!waiter) return;
    this.waiters.delete(jobId);
    if (err) waiter.reject(err);
    else {
      this.completed++;
      waiter.resolve();
    }
  }
}
