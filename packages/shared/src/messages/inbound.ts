import { z } from 'zod';
import { codec } from './codec.ts';
import { ControlMessageSchema } from './control.ts';
import { HeartbeatMessageSchema } from './heartbeat.ts';
import { SignalMessageSchema } from './signal.ts';
import { StepReplySchema } from './step-reply.ts';
import { TriggerMessageSchema } from './trigger.ts';

/**
 * Everything the orchestrator consumes from its inbound stream. Discriminated
 * on `kind`, so a bad message is reported by field (`ok`, `step`...), not as
 * one root-level "Invalid input".
 */
export const InboundMessageSchema = z.discriminatedUnion('kind', [
  TriggerMessageSchema,
  StepReplySchema,
  SignalMessageSchema,
  ControlMessageSchema,
  HeartbeatMessageSchema,
]);
export type InboundMessage = z.output<typeof InboundMessageSchema>;
export const inboundCodec = codec('inbound message', InboundMessageSchema);
