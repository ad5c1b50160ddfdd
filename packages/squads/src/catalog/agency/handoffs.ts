import type { Handoff, HandoffName } from './common.ts';
import { feedbackToOffer } from './feedback-to-offer.ts';
import { fulfillmentToFeedback } from './fulfillment-to-feedback.ts';
import { marketingToSales } from './marketing-to-sales.ts';
import { offerToMarketing } from './offer-to-marketing.ts';
import { salesToFulfillment } from './sales-to-fulfillment.ts';

/** Every handoff by name (the workflow of the same name runs it). */
export const HANDOFFS: Readonly<Record<HandoffName, Handoff>> = {
  offer_to_marketing: offerToMarketing as Handoff,
  marketing_to_sales: marketingToSales as Handoff,
  sales_to_fulfillment: salesToFulfillment as Handoff,
  fulfillment_to_feedback: fulfillmentToFeedback as Handoff,
  feedback_to_offer: feedbackToOffer as Handoff,
};
