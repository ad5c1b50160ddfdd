import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, AckPolicy, DeliverPolicy, RetentionPolicy } from '@nats-io/jetstream';
const nc = await connect({ servers: 'nats://127.0.0.1:4222', noAsyncTraces: true });
const js = jetstream(nc); const jsm = await jetstreamManager(nc);
const P = 'SCR' + Math.random().toString(36).slice(2,8).toUpperCase(); const s = P.toLowerCase();
await jsm.streams.add({ name: P, subjects: [s + '.>'], retention: RetentionPolicy.Workqueue });
await jsm.consumers.add(P, { durable_name: 'd1', ack_policy: AckPolicy.Explicit, ack_wait: 5_000_000_000, filter_subject: s + '.a', deliver_policy: DeliverPolicy.All, max_ack_pending: 100 });
const c = await js.consumers.get(P, 'd1');
// stale pull: consume, stop, publish, new consume
const m1 = await c.consume({ max_messages: 10 });
(async () => { for await (const m of m1) { console.log('m1 got', m.seq); m.ack(); } console.log('m1 ended'); })();
await new Promise(r => setTimeout(r, 200));
m1.stop();
await new Promise(r => setTimeout(r, 50));
await js.publish(s + '.a', new Uint8Array([1]));
const t0 = Date.now();
const c2 = await js.consumers.get(P, 'd1');
const m2 = await c2.consume({ max_messages: 10 });
for await (const m of m2) { console.log('m2 got', m.seq, m.info.deliveryCount, Date.now() - t0); m.ack(); break; }
// round robin
const A = await c.consume({ max_messages: 50 }); const B = await c.consume({ max_messages: 50 });
const got: string[] = [];
(async () => { for await (const m of A) { got.push('A' + m.seq); m.ack(); } })();
(async () => { for await (const m of B) { got.push('B' + m.seq); m.ack(); } })();
await new Promise(r => setTimeout(r, 200));
for (let i = 0; i < 10; i++) await js.publish(s + '.a', new Uint8Array([i]));
await new Promise(r => setTimeout(r, 300));
console.log(got.join(' '));
A.stop(); B.stop();
console.log((await jsm.consumers.info(P, 'd1')).num_waiting);
await jsm.streams.delete(P);
await nc.drain();
