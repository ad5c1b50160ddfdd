import { portsContract } from './contract/ports.contract.ts';
import { createMemoryTransport } from '../src/adapters/index.ts';

portsContract('memory', async () => {
  const transport = createMemoryTransport();
  return { transport, cleanup: () => transport.close() };
});
