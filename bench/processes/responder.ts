/**
 * A core NATS responder for the floors: answers every request on
 * `<RESPONDER_SUBJECT>` with ~200 B, as a no-op squad would, minus
 * everything durable.
 * Env: SQUADFLOW_NATS_URL (default local), RESPONDER_SUBJECT. Prints `ready`.
 */
import { connectRaw } from '../lib/nats.ts';

const subject = process.env['RESPONDER_SUBJECT'];
if (!subject) throw new Error('RESPONDER_SUBJECT is required');

const reply = new TextEncoder().encode(JSON.stringify({ ok: true, output: { echo: 'y'.repeat(170) } }));
const nc = await connectRaw(`bench-responder-${process.pid}`);
nc.subscribe(subject, {
  callback: (err, msg) => {
    if (!err) msg.respond(reply);
  },
});
await nc.flush();
process.on('SIGTERM', () => void nc.close().finally(() => process.exit(0)));
process.stdout.write('ready\n');
