import { createMemoryTransport } from '../src/adapters/index.ts';
const t = createMemoryTransport();
await t.streams.ensure({ name: 'B', subjects: ['b.>'], retention: 'workqueue' });
const N = 200_000; const data = new Uint8Array(200);
let t0 = performance.now();
for (let i = 0; i < N; i++) await t.streams.publish('b.x', data);
console.log('publish/s', Math.round(N / ((performance.now() - t0) / 1000)));
t0 = performance.now();
let n = 0; let done!: () => void; const p = new Promise<void>(r => done = r);
await t.streams.consume('B', { durable: 'd', filterSubject: 'b.>' }, async (m) => { m.ack(); if (++n === N) done(); });
await p;
console.log('consume/s', Math.round(N / ((performance.now() - t0) / 1000)));
// pipelined: publish while consuming
n = 0; const p2 = new Promise<void>(r => done = r);
t0 = performance.now();
for (let i = 0; i < N; i++) await t.streams.publish('b.x', data);
await p2;
console.log('pub+consume/s', Math.round(N / ((performance.now() - t0) / 1000)));
await t.close();
