/**
 * Seed 004's leads as the gateway reads them: the lead bucket (`<p>_leads`)
 * the WhatsApp squad writes, through the transport (the gateway never
 * imports squads; the record's schema is shared). Pages are in key order
 * (the phone digits), with the last key as the cursor.
 */
import { leadKey, LeadRecordSchema, type LeadRecord, type LeadStatus } from '@squadflow/shared';
import { kvRecords, type KvRecords, type Transport } from '@squadflow/transport';

export interface LeadPageQuery {
  status?: LeadStatus[];
  limit: number;
  /** The `nextCursor` of the previous page. */
  cursor?: string;
}

export interface LeadPage {
  leads: LeadRecord[];
  nextCursor?: string;
}

export class LeadDirectory {
  private store?: Promise<KvRecords<LeadRecord>>;

  constructor(
    private readonly transport: Transport,
    private readonly bucket: string,
  ) {}

  async get(phone: string): Promise<LeadRecord | null> {
    return (await (await this.records()).get(leadKey(phone)))?.value ?? null;
  }

  /**
   * One page of leads, optionally of some statuses. Reads the bucket in one
   * scan (values included, no get per key): fine for the thousands of leads
   * of a campaign; an index per status would be the next step beyond.
   */
  async page(query: LeadPageQuery): Promise<LeadPage> {
    const all = await (await this.records()).entries();
    const statuses = query.status ? new Set(query.status) : undefined;
    const after = query.cursor;
    const matching = all
      .filter((r) => (after === undefined || r.key > after) && (!statuses || statuses.has(r.value.status)))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const page = matching.slice(0, query.limit);
    const more = matching.length > page.length;
    return { leads: page.map((r) => r.value), ...(more ? { nextCursor: page.at(-1)!.key } : {}) };
  }

  private records(): Promise<KvRecords<LeadRecord>> {
    if (!this.store) {
      // Opened without options: the squad creates the bucket; an absent one is created empty, as the squad would.
      this.store = this.transport.kv(this.bucket).then((kv) => kvRecords(kv, LeadRecordSchema));
      this.store.catch(() => (this.store = undefined));
    }
    return this.store;
  }
}
