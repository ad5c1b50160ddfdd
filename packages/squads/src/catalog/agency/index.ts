/**
 * The digital agency's five domain handoffs (seed 001): the `agency` squad,
 * the handoff workflows, the zod schemas of every handoff's input and output,
 * and how each handoff's output feeds the next.
 */
export { createAgencySquad, AGENCY_SQUAD, type AgencySquadOptions } from './squad.ts';
export { AgencyEnvSchema, DEFAULT_HANDOFF_MAX_HOPS, readHandoffChainSettings, type HandoffChainSettings } from './chain-settings.ts';
export { HANDOFF_CHAIN_FIELD, HandoffChainLinkSchema, NextHandoffSchema, type HandoffChainLink, type NextHandoff } from './chain-link.ts';
export { triggerPublisher, type HandoffStarter } from './handoff-trigger.ts';
export { handOnKey, nextHandoffOf } from './next-handoff.ts';
export {
  agencyWorkflows,
  handoffWorkflow,
  handoffWorkflows,
  HANDOFF_CHAIN,
  handoffNextInput,
  handoffNextWhen,
  handoffStopReason,
} from './workflows.ts';
export { HANDOFFS } from './handoffs.ts';
export { INVALID_HANDOFF_INPUT, type Handoff, type HandoffName, type FieldProblem } from './common.ts';
export {
  HandoffDeliverySchema,
  HandoffPackageSchema,
  HandoffReceiptSchema,
  PackageRequestSchema,
  type HandoffDelivery,
  type HandoffPackage,
  type HandoffReceipt,
} from './package.ts';
export {
  OfferToMarketingInputSchema,
  OfferToMarketingOutputSchema,
  MarketingBriefSchema,
  type OfferToMarketingInput,
  type OfferToMarketingOutput,
} from './offer-to-marketing.ts';
export {
  MarketingToSalesInputSchema,
  MarketingToSalesOutputSchema,
  SalesBriefSchema,
  type MarketingToSalesInput,
  type MarketingToSalesOutput,
} from './marketing-to-sales.ts';
export {
  SalesToFulfillmentInputSchema,
  SalesToFulfillmentOutputSchema,
  WorkOrderSchema,
  type SalesToFulfillmentInput,
  type SalesToFulfillmentOutput,
} from './sales-to-fulfillment.ts';
export {
  FulfillmentToFeedbackInputSchema,
  FulfillmentToFeedbackOutputSchema,
  FeedbackRequestSchema,
  type FulfillmentToFeedbackInput,
  type FulfillmentToFeedbackOutput,
} from './fulfillment-to-feedback.ts';
export {
  FeedbackToOfferInputSchema,
  FeedbackToOfferOutputSchema,
  FeedbackAnalysisSchema,
  OfferRecommendationsSchema,
  type FeedbackToOfferInput,
  type FeedbackToOfferOutput,
} from './feedback-to-offer.ts';
