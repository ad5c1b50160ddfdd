import { z } from 'zod';
import { codec } from './codec.ts';
import { ControlMessageSchema } from './control.ts';
import { SignalMessageSchema } from './signal.ts';
import { StepReplySchema } from './step-reply.ts';
import { TriggerMessageSchema } from './trigger.ts';

/** Everything the orchestrator consumes from its inbound stream. */
export const InboundMessageSchema = z.union([TriggerMessageSchema, StepReplySchema, SignalMessageSchema, ControlMessageSchema]);
export type InboundMessage = z.output<typeof InboundMessageSchema>;
export const inboundCodec = codec('inbound message', InboundMessageSchema);
