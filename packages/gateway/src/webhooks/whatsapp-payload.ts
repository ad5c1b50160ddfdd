/**
 * The WhatsApp Business (Cloud API) webhook payload as Meta sends it, checked
 * with zod. Fields with the wrong JSON type are refused (400 naming the
 * field); fields and message types we do not use are allowed, because Meta
 * adds new ones and a 4xx makes it retry the delivery for days.
 */
import { z } from 'zod';

/** Message types that carry a media object with an `id`. */
export const MEDIA_TYPES = ['image', 'audio', 'video', 'document', 'sticker'] as const;
export type MediaType = (typeof MEDIA_TYPES)[number];

const MediaSchema = z.looseObject({
  id: z.string().min(1),
  mime_type: z.string().optional(),
  sha256: z.string().optional(),
  caption: z.string().optional(),
  filename: z.string().optional(),
});

/** A tap on a template's quick-reply button ("Ativar Perfil"): its label and the payload the template declared. */
const ButtonSchema = z.looseObject({ text: z.string(), payload: z.string().optional() });

/** A reply button (`button_reply`) or list row (`list_reply`) of an interactive message we sent. */
const ReplySchema = z.looseObject({ id: z.string(), title: z.string(), description: z.string().optional() });
const InteractiveSchema = z.looseObject({
  type: z.string().min(1).describe('button_reply, list_reply, nfm_reply, ...'),
  button_reply: ReplySchema.optional(),
  list_reply: ReplySchema.optional(),
});

export const WhatsAppMessageSchema = z
  .looseObject({
    /** The sender's WhatsApp id: the phone number in international format, digits only. */
    from: z.string().regex(/^\d{6,20}$/, 'expected the digits of a phone number'),
    /**
     * Meta's `wamid.…` (about 60 characters); bounded so `whatsapp:<id>` fits an idempotency key (256). It becomes a
     * signal id, which travels in a NATS message header: no control characters (a CR/LF would split the header).
     */
    id: z
      .string()
      .min(1)
      .max(200)
      .regex(/^[^\p{Cc}]+$/u, 'no control characters'),
    /** Unix seconds, as a string. */
    timestamp: z.string().regex(/^\d+$/, 'expected unix seconds as a string'),
    type: z.string().min(1).describe('text, button, interactive, image, audio, video, document, sticker, location, reaction, ...'),
    text: z.looseObject({ body: z.string() }).optional(),
    image: MediaSchema.optional(),
    audio: MediaSchema.optional(),
    video: MediaSchema.optional(),
    document: MediaSchema.optional(),
    sticker: MediaSchema.optional(),
    button: ButtonSchema.optional(),
    interactive: InteractiveSchema.optional(),
    /** For replies: the message replied to (`context.id`, e.g. the activation template we sent). */
    context: z.looseObject({ from: z.string().optional(), id: z.string().optional() }).optional(),
  })
  .superRefine((m, ctx) => {
    if (m.type === 'text' && !m.text) ctx.addIssue({ code: 'custom', path: ['text'], message: 'required for a text message' });
    if (m.type === 'button' && !m.button) ctx.addIssue({ code: 'custom', path: ['button'], message: 'required for a button message' });
    if (m.type === 'interactive' && !m.interactive) {
      ctx.addIssue({ code: 'custom', path: ['interactive'], message: 'required for an interactive message' });
    }
    if (isMedia(m.type) && !m[m.type]) ctx.addIssue({ code: 'custom', path: [m.type], message: `required for a ${m.type} message` });
  });
export type WhatsAppMessage = z.output<typeof WhatsAppMessageSchema>;

export const WhatsAppStatusSchema = z.looseObject({
  /** The id of the message we sent. */
  id: z.string().min(1).max(256),
  status: z.enum(['sent', 'delivered', 'read', 'failed']),
  timestamp: z.string().regex(/^\d+$/, 'expected unix seconds as a string'),
  recipient_id: z.string().min(1),
  errors: z.array(z.looseObject({ code: z.number().optional(), title: z.string().optional(), message: z.string().optional() })).optional(),
});
export type WhatsAppStatus = z.output<typeof WhatsAppStatusSchema>;

const ValueSchema = z.looseObject({
  messaging_product: z.string().optional(),
  metadata: z.looseObject({ display_phone_number: z.string().optional(), phone_number_id: z.string().optional() }).optional(),
  contacts: z
    .array(z.looseObject({ wa_id: z.string().optional(), profile: z.looseObject({ name: z.string().optional() }).optional() }))
    .optional(),
  messages: z.array(WhatsAppMessageSchema).optional(),
  statuses: z.array(WhatsAppStatusSchema).optional(),
});

export const WhatsAppPayloadSchema = z.looseObject({
  object: z.literal('whatsapp_business_account'),
  entry: z.array(
    z.looseObject({
      id: z.string().optional(),
      changes: z.array(z.looseObject({ field: z.string().optional(), value: ValueSchema })),
    }),
  ),
});
export type WhatsAppPayload = z.output<typeof WhatsAppPayloadSchema>;

export function isMedia(type: string): type is MediaType {
  return (MEDIA_TYPES as readonly string[]).includes(type);
}

/** One inbound message with the sender's profile name, flattened out of entries and changes. */
export interface InboundMessage {
  message: WhatsAppMessage;
  name?: string;
}

export function inboundMessages(payload: WhatsAppPayload): InboundMessage[] {
  return payload.entry.flatMap((entry) =>
    entry.changes.flatMap(({ value }) =>
      (value.messages ?? []).map((message) => {
        const contact = value.contacts?.find((c) => c.wa_id === message.from) ?? value.contacts?.[0];
        const name = contact?.profile?.name;
        return { message, ...(name ? { name } : {}) };
      }),
    ),
  );
}

export function statusUpdates(payload: WhatsAppPayload): WhatsAppStatus[] {
  return payload.entry.flatMap((entry) => entry.changes.flatMap(({ value }) => value.statuses ?? []));
}
