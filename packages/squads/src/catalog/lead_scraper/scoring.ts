import { tryNormalizePhone } from '../common/phone.ts';

/** A lead as in the new_lead_nurture context's `lead_data`. */
export interface LeadData {
  name?: string | undefined;
  phone?: string | undefined;
  email?: string | undefined;
  source?: string | undefined;
}

export type LeadSegment = 'hot' | 'warm' | 'cold';

export interface LeadScore {
  /** Contactable and scoring at least {@link QUALIFIED_SCORE}. */
  qualified: boolean;
  /** 0–100. */
  score: number;
  segment: LeadSegment;
  /** One line per rule that counted, e.g. `phone +25`, for people reviewing the decision. */
  reasons: string[];
  /** The phone in E.164 digits, null when missing or invalid. */
  phone: string | null;
  email_domain: string | null;
}

export const QUALIFIED_SCORE = 50;
export const HOT_SCORE = 70;

const FREE_EMAIL = new Set([
  'gmail.com',
  'hotmail.com',
  'outlook.com',
  'live.com',
  'yahoo.com',
  'yahoo.com.br',
  'icloud.com',
  'uol.com.br',
  'bol.com.br',
  'terra.com.br',
]);
const DISPOSABLE_EMAIL = new Set([
  'mailinator.com',
  'yopmail.com',
  'guerrillamail.com',
  '10minutemail.com',
  'tempmail.com',
  'trashmail.com',
]);
const EMAIL = /^[^\s@]+@([^\s@]+\.[^\s@]+)$/;

/** Source keywords (lower case, no accents) → points: referrals convert best, bought or scraped lists worst. */
const SOURCE_POINTS: Array<[RegExp, number, string]> = [
  [/indicac|referral|referencia/, 30, 'referral'],
  [/google/, 25, 'google'],
  [/facebook|instagram|meta/, 20, 'paid social'],
  [/whatsapp/, 20, 'whatsapp'],
  [/site|website|organic|organico|formulario|form/, 15, 'website'],
];

const fold = (text: string): string => text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

/**
 * Scores a lead with fixed, explainable rules: a full name (+10, first name
 * only +5), a valid phone (+25, WhatsApp is the main channel), a valid email
 * (+15; a company domain +10 more; a disposable one −30), and the source
 * (referral 30, Google 25, paid social or WhatsApp 20, website 15, other 5).
 * Hot from {@link HOT_SCORE}, warm from {@link QUALIFIED_SCORE}, else cold.
 */
export function scoreLead(lead: LeadData): LeadScore {
  const reasons: string[] = [];
  let score = 0;
  const add = (points: number, reason: string): void => {
    score += points;
    reasons.push(`${reason} ${points >= 0 ? '+' : ''}${points}`);
  };

  const words = lead.name?.trim().split(/\s+/).filter(Boolean).length ?? 0;
  if (words >= 2) add(10, 'full name');
  else if (words === 1) add(5, 'first name');

  const phone = lead.phone ? tryNormalizePhone(lead.phone) : null;
  if (phone) add(25, 'phone');

  const domain = lead.email ? (EMAIL.exec(lead.email.trim().toLowerCase())?.[1] ?? null) : null;
  if (domain) {
    add(15, 'email');
    if (DISPOSABLE_EMAIL.has(domain)) add(-30, 'disposable email');
    else if (!FREE_EMAIL.has(domain)) add(10, 'company email');
  }

  if (lead.source) {
    const source = fold(lead.source);
    const match = SOURCE_POINTS.find(([pattern]) => pattern.test(source));
    add(match?.[1] ?? 5, `source ${match?.[2] ?? 'other'}`);
  }

  score = Math.max(0, Math.min(100, score));
  const contactable = phone !== null || domain !== null;
  const segment: LeadSegment = score >= HOT_SCORE ? 'hot' : score >= QUALIFIED_SCORE ? 'warm' : 'cold';
  return { qualified: contactable && score >= QUALIFIED_SCORE, score, segment, reasons, phone, email_domain: domain };
}
