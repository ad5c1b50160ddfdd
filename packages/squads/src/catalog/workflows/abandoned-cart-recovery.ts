import { workflow, type Duration, type WorkflowDefinition } from '@squadflow/shared';

export interface AbandonedCartOptions {
  /** Before the WhatsApp reminder (seed: 5 min). */
  reminderDelay?: Duration;
  /** Before the Google Ads audience (seed: 1 h). */
  audienceDelay?: Duration;
}

/**
 * Seed 000, `abandoned_cart_recovery`: inventory → whatsapp → google_ads → traffic.
 * The reminder goes out only when every item is in stock (no point selling
 * what cannot ship); the audience and campaign still run. A campaign that
 * cannot launch undoes the audience (saga).
 */
export function abandonedCartRecovery(options: AbandonedCartOptions = {}): WorkflowDefinition {
  return workflow('abandoned_cart_recovery')
    .describe(
      'Recover customers who abandoned a cart: stock check, WhatsApp reminder after 5 min, retargeting audience after 1 h, campaign.',
    )
    .contextSchema({
      type: 'object',
      required: ['customer_phone', 'abandoned_items'],
      properties: {
        customer_phone: { type: 'string', minLength: 8 },
        customer_name: { type: 'string' },
        abandoned_items: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            required: ['id'],
            properties: { id: { type: 'string' }, name: { type: 'string' }, price: { type: 'number' } },
          },
        },
        cart_value: { type: 'number', minimum: 0 },
      },
    })
    .defaults({ timeout: '30s', retry: { retries: 3, initialInterval: '10s', maxInterval: '5m' } })
    .task('check_inventory', { squad: 'inventory', action: 'check_stock', input: '{ "items": abandoned_items }' })
    .task('send_whatsapp_reminder', {
      squad: 'whatsapp',
      action: 'send_abandoned_cart_message',
      dependsOn: ['check_inventory'],
      condition: '$steps.check_inventory.available',
      delay: options.reminderDelay ?? '5m',
    })
    .task('create_google_ads_audience', {
      squad: 'google_ads',
      action: 'create_cart_abandoner_audience',
      dependsOn: ['send_whatsapp_reminder'],
      delay: options.audienceDelay ?? '1h',
      compensate: { action: 'delete_audience' },
    })
    .task('launch_retargeting_campaign', {
      squad: 'traffic',
      action: 'launch_cart_recovery_campaign',
      dependsOn: ['create_google_ads_audience'],
      input: `$merge([$, { "audience_id": $steps.create_google_ads_audience.audience_id }])`,
      onError: 'compensate',
      compensate: { action: 'stop_campaign' },
    })
    .build();
}
