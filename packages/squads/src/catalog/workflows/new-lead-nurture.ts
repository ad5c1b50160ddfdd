import { workflow, type Duration, type WorkflowDefinition } from '@squadflow/shared';

export interface NewLeadNurtureOptions {
  welcomeDelay?: Duration; // seed: 1 min
  audienceDelay?: Duration; // seed: 5 min
  campaignDelay?: Duration; // seed: 24 h
  followupDelay?: Duration; // seed: 48 h
}

const withSegment = `$merge([lead_data, { "segment": $steps.qualify_lead.segment }])`;

/**
 * Seed 000, `new_lead_nurture`: lead_scraper → whatsapp → google_ads → traffic → whatsapp.
 * Every lead is welcomed and followed up; only qualified leads go into an
 * audience and a nurture campaign (the others are skipped, and the follow-up still runs).
 */
export function newLeadNurture(options: NewLeadNurtureOptions = {}): WorkflowDefinition {
  return workflow('new_lead_nurture')
    .describe(
      'Qualify and nurture a new lead: welcome after 1 min, audience after 5 min, nurture campaign after 24 h, follow-up after 48 h.',
    )
    .contextSchema({
      type: 'object',
      required: ['lead_data'],
      properties: {
        lead_data: {
          type: 'object',
          required: ['name', 'phone'],
          properties: {
            name: { type: 'string' },
            phone: { type: 'string', minLength: 8 },
            email: { type: 'string' },
            source: { type: 'string' },
          },
        },
      },
    })
    .defaults({ timeout: '30s', retry: { retries: 3, initialInterval: '10s', maxInterval: '5m' } })
    .task('qualify_lead', { squad: 'lead_scraper', action: 'qualify_new_lead', input: 'lead_data' })
    .task('send_welcome_whatsapp', {
      squad: 'whatsapp',
      action: 'send_welcome_message',
      dependsOn: ['qualify_lead'],
      delay: options.welcomeDelay ?? '1m',
      input: withSegment,
    })
    .task('create_lead_audience', {
      squad: 'google_ads',
      action: 'create_lead_audience',
      dependsOn: ['send_welcome_whatsapp'],
      condition: '$steps.qualify_lead.qualified',
      delay: options.audienceDelay ?? '5m',
      input: withSegment,
      compensate: { action: 'delete_audience' },
    })
    .task('launch_lead_nurture_campaign', {
      squad: 'traffic',
      action: 'launch_lead_nurture_campaign',
      dependsOn: ['create_lead_audience'],
      condition: '$steps.qualify_lead.qualified',
      delay: options.campaignDelay ?? '24h',
      input: { audience_id: '$steps.create_lead_audience.audience_id', segment: '$steps.qualify_lead.segment', name: 'lead_data.name' },
      compensate: { action: 'stop_campaign' },
    })
    .task('schedule_followup', {
      squad: 'whatsapp',
      action: 'schedule_followup_message',
      dependsOn: ['launch_lead_nurture_campaign'],
      delay: options.followupDelay ?? '48h',
      input: 'lead_data',
    })
    .build();
}
