/**
 * The ports contract: one suite, run against every adapter
 * (test/adapters.memory.test.ts, test/adapters.nats.test.ts), so the
 * embedded mode and NATS cannot drift apart.
 */
import { describe } from 'vitest';
import { busContract } from './bus.contract.ts';
import { deliveryContract } from './delivery.contract.ts';
import { kvContract } from './kv.contract.ts';
import { streamsContract } from './streams.contract.ts';
import type { ContractTarget } from './target.ts';

export type { ContractTarget } from './target.ts';

/**
 * Defines the contract suite for one adapter. `make` is called before each
 * test for a fresh transport; its `cleanup` runs after the test. If it
 * returns a `prefix`, every stream and bucket the suite creates is named
 * under it (streams `<PREFIX>_S<n>`, buckets `<prefix>_b<n>`, subjects
 * `<prefix>.…`), so a prefix-based cleanup catches leftovers of failed tests.
 */
export function portsContract(name: string, make: () => Promise<ContractTarget>): void {
  describe(`${name} transport: ports contract`, () => {
    kvContract(make);
    streamsContract(make);
    deliveryContract(make);
    busContract(make);
  });
}
