import { ManualClock } from '@squadflow/transport';
import { Collector } from '@squadflow/transport/testing';

/**
 * A manual clock that reports each timer set as the delay asked for, so a
 * test can await "the client is now waiting" and read how long it waits.
 */
export class WatchedClock extends ManualClock {
  readonly delays = new Collector<number>();

  override setTimer(at: number, fn: () => void): unknown {
    const handle = super.setTimer(at, fn);
    this.delays.push(at - this.now());
    return handle;
  }
}
