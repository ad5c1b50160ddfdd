import { workflow, type Duration, type WorkflowDefinition } from '@squadflow/shared';

export interface StockEmergencyOptions {
  /** Before notifying purchasing (seed: 1 min). */
  notifyDelay?: Duration;
  /** Before the WhatsApp alert (seed: 30 min). */
  alertDelay?: Duration;
}

/**
 * Seed 000, `stock_emergency`: inventory → google_ads → lead_scraper → whatsapp.
 * Ads are paused only when the analysis says the stock is critical; purchasing
 * is told which suppliers to call, and the top supplier gets a WhatsApp alert.
 */
export function stockEmergency(options: StockEmergencyOptions = {}): WorkflowDefinition {
  return workflow('stock_emergency')
    .describe('Respond to critical stock: analyse, pause the product ads, prioritise suppliers after 1 min, WhatsApp alert after 30 min.')
    .contextSchema({
      type: 'object',
      required: ['product_id'],
      properties: {
        product_id: { type: 'string', minLength: 1 },
        stock_level: { type: 'integer', minimum: 0 },
        min_threshold: { type: 'integer', minimum: 0 },
      },
    })
    .defaults({ timeout: '30s', retry: { retries: 3, initialInterval: '10s', maxInterval: '5m' } })
    .task('analyze_stock_situation', { squad: 'inventory', action: 'analyze_critical_stock' })
    .task('pause_google_ads', {
      squad: 'google_ads',
      action: 'pause_product_campaigns',
      dependsOn: ['analyze_stock_situation'],
      condition: '$steps.analyze_stock_situation.critical',
      compensate: { action: 'resume_product_campaigns' },
    })
    .task('notify_lead_scraper', {
      squad: 'lead_scraper',
      action: 'prioritize_supplier_contacts',
      dependsOn: ['pause_google_ads'],
      delay: options.notifyDelay ?? '1m',
      input: '$steps.analyze_stock_situation',
    })
    .task('send_whatsapp_alert', {
      squad: 'whatsapp',
      action: 'send_stock_alert',
      dependsOn: ['notify_lead_scraper'],
      delay: options.alertDelay ?? '30m',
      input: `$merge([$steps.analyze_stock_situation, { "to": $steps.notify_lead_scraper.top_contact.phone }])`,
    })
    .build();
}
