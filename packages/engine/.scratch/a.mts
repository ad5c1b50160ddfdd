import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, JetStreamApiError, AckPolicy, DeliverPolicy, RetentionPolicy } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
const nc = await connect({ servers: 'nats://127.0.0.1:4222', noAsyncTraces: true });
const js = jetstream(nc); const jsm = await jetstreamManager(nc);
const P = 'SCR' + Math.random().toString(36).slice(2,8).toUpperCase();
try { await js.publish('nostream.' + P, new Uint8Array()); } catch (e: any) { console.log('nostream', e.constructor.name, e.message, e.cause?.constructor?.name); }
const kvm = new Kvm(nc); const kv = await kvm.create('kv_' + P.toLowerCase());
const r1 = await kv.create('a.b', new Uint8Array([1]));
try { await kv.create('a.b', new Uint8Array([1])); } catch (e: any) { console.log('create dup', e.constructor.name, e.message, e.code, e instanceof JetStreamApiError); }
try { await kv.update('a.b', new Uint8Array([1]), r1 + 5); } catch (e: any) { console.log('update bad', e.constructor.name, e.message, e.code); }
try { await kv.update('zz', new Uint8Array([1]), 1); } catch (e: any) { console.log('update missing', e.constructor.name, e.message, e.code); }
await kv.delete('a.b'); const g = await kv.get('a.b'); console.log('after delete', g?.operation, g?.revision);
console.log('create after delete', await kv.create('a.b', new Uint8Array([2])));
const ks = await kv.keys('a.*'); const arr: string[] = []; for await (const k of ks) arr.push(k); console.log('keys', arr);
console.log('get missing', await kv.get('nope'));
await kv.purge('a.b'); console.log('after purge', (await kv.get('a.b'))?.operation);
await kv.destroy();
// stream + ack wait
await jsm.streams.add({ name: P, subjects: [P.toLowerCase() + '.>'], retention: RetentionPolicy.Workqueue });
try { await jsm.streams.add({ name: P, subjects: [P.toLowerCase() + '.x'], retention: RetentionPolicy.Workqueue }); } catch (e: any) { console.log('add diff', e.constructor.name, e.message, e.code); }
try { await jsm.streams.info(P + 'X'); } catch (e: any) { console.log('info missing', e.constructor.name, e.message, e.code); }
try { await jsm.streams.delete(P + 'X'); } catch (e: any) { console.log('delete missing', e.constructor.name, e.message, e.code); }
await jsm.consumers.add(P, { durable_name: 'd1', ack_policy: AckPolicy.Explicit, ack_wait: 300_000_000, filter_subject: P.toLowerCase() + '.a', deliver_policy: DeliverPolicy.All, max_ack_pending: 10 });
try { await jsm.consumers.add(P, { durable_name: 'd1', ack_policy: AckPolicy.Explicit, ack_wait: 500_000_000, filter_subject: P.toLowerCase() + '.a', deliver_policy: DeliverPolicy.All, max_ack_pending: 10 }); console.log('consumer re-add with diff ok'); } catch (e: any) { console.log('consumer re-add diff', e.constructor.name, e.message, e.code); }
try { await jsm.consumers.add(P, { durable_name: 'd2', ack_policy: AckPolicy.Explicit, filter_subject: P.toLowerCase() + '.*' }); } catch (e: any) { console.log('overlap wq', e.constructor.name, e.message, e.code); }
console.log((await jsm.consumers.info(P, 'd1')).config.ack_wait);
const c = await js.consumers.get(P, 'd1');
await js.publish(P.toLowerCase() + '.a', new Uint8Array([1]));
const t0 = Date.now();
const msgs = await c.consume({ max_messages: 10 });
for await (const m of msgs) { console.log('got', m.info.deliveryCount, Date.now() - t0); if (m.info.deliveryCount >= 4) { m.ack(); break; } }
await jsm.streams.delete(P);
await nc.drain();
