import { describe, expect, it } from 'vitest';
import { encodeToken, kvStreamName, kvSubjectPrefix, names, SquadflowError } from '../src/index.ts';
import { decodeToken } from '../src/subjects.ts';

/** What JetStream KV accepts in a key token, and NATS in a subject token (no dots, spaces, wildcards). */
const KEY_TOKEN = /^[A-Za-z0-9_=-]+$/;

describe('encodeToken / decodeToken', () => {
  const samples = [
    '+55 11 99999-9999',
    '5511999999999',
    'wamid.HBgNNTUxMTk5OTk5OTk5ORUCABIYFjNFQjBDMDk2',
    'a.b.c',
    '*',
    '>',
    'ação',
    'こんにちは',
    '🚀 launch',
    'key=value',
    '=3D',
    'already_safe-token',
    '\u0000',
  ];

  it.each(samples)('round-trips %j and produces a safe token', (value) => {
    const encoded = encodeToken(value);
    expect(encoded).toMatch(KEY_TOKEN);
    expect(decodeToken(encoded)).toBe(value);
  });

  it('leaves letters, digits, "_" and "-" as they are', () => {
    expect(encodeToken('order_42-A')).toBe('order_42-A');
  });

  it('encodes dots, spaces and "+" so a phone number is one subject token', () => {
    expect(encodeToken('+55 11 99999-9999')).toBe('=2B55=2011=2099999-9999');
    expect(encodeToken('a.b')).toBe('a=2Eb');
    expect(encodeToken('+55 11 99999-9999')).not.toContain('.');
  });

  it('is injective: distinct inputs never share an encoding', () => {
    const inputs = [...samples, 'a=2Eb', 'a.b', 'a=2eb', '=', '==', '=2E', '.', 'A', 'a', 'é', 'e\u0301'];
    const encodings = new Map<string, string>();
    for (const input of inputs) {
      const encoded = encodeToken(input);
      expect(encodings.get(encoded) ?? input).toBe(input);
      encodings.set(encoded, input);
    }
    expect(encodings.size).toBe(new Set(inputs).size);
  });

  it('rejects an empty key', () => {
    expect(() => encodeToken('')).toThrow(SquadflowError);
    expect(() => encodeToken('')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

describe('names()', () => {
  const n = names('sqf');

  it('builds inbound, command and lifecycle subjects under the prefix', () => {
    expect(n.trigger('order')).toBe('sqf.in.trigger.order');
    // The execution's partition comes before it (partitionOf('exec_1') is 8), so one filter takes one partition.
    expect(n.reply('exec_1')).toBe('sqf.in.reply.8.exec_1');
    expect(n.control('exec_1')).toBe('sqf.in.control.8.exec_1');
    expect(n.heartbeat('exec_1')).toBe('sqf.in.heartbeat.8.exec_1');
    expect(n.command('inventory', 'reserve')).toBe('sqf.cmd.inventory.reserve');
    expect(n.squadCommands('inventory')).toBe('sqf.cmd.inventory.>');
    expect(n.lifecycle('order', 'execution.completed')).toBe('sqf.lc.order.execution.completed');
    expect([n.inboundAll, n.commandsAll, n.lifecycleAll]).toEqual(['sqf.in.>', 'sqf.cmd.>', 'sqf.lc.>']);
  });

  it('encodes signal keys that come from outside into one token', () => {
    expect(n.signal('ai_conversation_+55 11 99999-9999')).toBe('sqf.in.signal.ai_conversation_=2B55=2011=2099999-9999');
    expect(n.signal('a.b').split('.')).toHaveLength(4);
  });

  it('names streams, buckets and consumers after the prefix', () => {
    const t = names('t_run1');
    expect(t.streams).toEqual({
      inbound: 'T_RUN1_IN',
      commands: 'T_RUN1_CMD',
      lifecycle: 'T_RUN1_LC',
      events: 'T_RUN1_EV',
      archive: 'T_RUN1_ARCHIVE',
    });
    expect(t.buckets).toEqual({
      executions: 't_run1_exec',
      timers: 't_run1_timers',
      workflows: 't_run1_wf',
      waits: 't_run1_waits',
      idempotency: 't_run1_idem',
      squads: 't_run1_squads',
      schedules: 't_run1_schedules',
      breakers: 't_run1_breakers',
      slots: 't_run1_slots',
      signals: 't_run1_signals',
      attempts: 't_run1_attempts',
      webhooks: 't_run1_webhooks',
      whatsappStatuses: 't_run1_wa_status',
      whatsappConversations: 't_run1_wa_conv',
      leads: 't_run1_leads',
      retention: 't_run1_retention',
      executionIndex: 't_run1_exec_idx',
      executionLog: 't_run1_exec_log',
      alerts: 't_run1_alerts',
      notifications: 't_run1_notify',
      leases: 't_run1_leases',
    });
    expect(t.archive('e-1')).toBe('t_run1.archive.e-1');
    expect(t.archiveAll).toBe('t_run1.archive.>');
    expect(t.consumers.orchestrator).toBe('T_RUN1_orchestrator');
    expect(t.consumers.partition(15)).toBe('T_RUN1_orch_p15');
    expect(t.consumers.squad('inventory')).toBe('T_RUN1_squad_inventory');
  });

  it('filters inbound messages by kind', () => {
    expect(n.inboundFilter('reply')).toBe('sqf.in.reply.>');
    expect(n.inboundFilter('heartbeat')).toBe('sqf.in.heartbeat.>');
  });

  it('names the schedule notices, the services API and squads’ own buckets after the prefix', () => {
    expect(n.scheduleChanged).toBe('sqf.sched.changed');
    expect(n.services.name('billing')).toBe('squadflow-sqf-billing');
    expect(n.services.describe('billing', 'charge')).toBe('sqf.svc.billing.charge');
    expect(n.squadBucket('whatsapp_outbox')).toBe('sqf_whatsapp_outbox');
  });

  it.each(['', 'Ads', 'ads.x', 'ads-x', '1ads'])('refuses the squad bucket name %j', (name) => {
    expect(() => n.squadBucket(name)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('tells its own subjects from outside ones', () => {
    expect(n.ownsSubject(n.trigger('order'))).toBe(true);
    expect(n.ownsSubject('sqfx.orders.created')).toBe(false);
    expect(n.ownsSubject('orders.created')).toBe(false);
  });

  it('owns its streams and its buckets’ streams, not those of a longer prefix', () => {
    const t = names('t_a');
    expect(t.ownsStream(t.streams.inbound)).toBe(true);
    expect(t.ownsStream(kvStreamName(t.buckets.executions))).toBe(true);
    expect(t.ownsStream(names('t_ab').streams.inbound)).toBe(false);
    expect(t.ownsStream(kvStreamName(names('t_ab').buckets.executions))).toBe(false);
  });

  it('defaults the prefix to sqf', () => {
    expect(names().prefix).toBe('sqf');
  });

  it.each(['Sqf', '1sqf', 'sq.f', 'sq-f', '', 'a'.repeat(33), 'sqf>'])('rejects the invalid prefix %j with INVALID_CONFIG', (prefix) => {
    expect(() => names(prefix)).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG', issues: [expect.objectContaining({ path: 'prefix' })] }),
    );
  });

  it('refuses ids and names that would break a subject instead of encoding them silently', () => {
    expect(() => n.reply('exec.1')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => n.command('inventory', 'reserve.*')).toThrow(SquadflowError);
    expect(() => n.trigger('order >')).toThrow(SquadflowError);
    expect(() => n.services.describe('billing', 'charge.*')).toThrow(SquadflowError);
  });
});

describe('KV bucket streams', () => {
  it('names the stream and the key subjects NATS keeps a bucket in', () => {
    expect(kvStreamName('sqf_exec')).toBe('KV_sqf_exec');
    expect(kvSubjectPrefix('sqf_exec')).toBe('$KV.sqf_exec.');
  });

  it.each(['', 'a.b', 'a b', 'a*'])('refuses the bucket name %j', (bucket) => {
    expect(() => kvStreamName(bucket)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => kvSubjectPrefix(bucket)).toThrow(SquadflowError);
  });
});
