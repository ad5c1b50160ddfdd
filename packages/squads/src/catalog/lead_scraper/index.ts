export { createLeadScraperSquad, type LeadScraperSquadDeps } from './squad.ts';
export { HOT_SCORE, QUALIFIED_SCORE, scoreLead, type LeadData, type LeadScore, type LeadSegment } from './scoring.ts';
export { loadSuppliers, prioritizeSuppliers, SupplierSchema, SuppliersFileSchema, type RankedContact, type Supplier } from './suppliers.ts';
