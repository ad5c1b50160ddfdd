/**
 * The digital agency's five domain handoffs (seed 001): the `agency` squad,
 * the handoff workflows, the zod schemas of every handoff's input and output,
 * and how each handoff's output feeds the next.
 */
export { agencySquad, AGENCY_SQUAD } from './squad.ts';
export { agencyWorkflows, handoffWorkflow, handoffWorkflows, HANDOFF_CHAIN, handoffNextInput, handoffNextWhen } from './workflows.ts';
export { HANDOFFS } from './handoffs.ts';
export { INVALID_HANDOFF_INPUT, type Handoff, type HandoffName, type FieldProblem } from './common.ts';
export { HandoffPackageSchema, HandoffReceiptSchema, PackageRequestSchema, type HandoffPackage, type HandoffReceipt } from './package.ts';
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
