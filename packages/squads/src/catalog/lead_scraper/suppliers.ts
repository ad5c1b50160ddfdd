import { z } from 'zod';
import { dataFile, readDataFile } from '../common/data-file.ts';

/** A supplier contact, as in `data/suppliers.json`. `product_ids: ["*"]` marks a generalist distributor. */
export const SupplierSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  contact_name: z.string().min(1),
  phone: z.string().min(1),
  email: z.string().min(1),
  product_ids: z.array(z.string()).min(1),
  lead_time_days: z.number().nonnegative(),
  /** Share of orders delivered complete and on time, 0–1. */
  reliability: z.number().min(0).max(1),
});
export type Supplier = z.output<typeof SupplierSchema>;

export const SuppliersFileSchema = z.object({ suppliers: z.array(SupplierSchema) });

/** Reads `data/suppliers.json` (or another file of the same shape). */
export async function loadSuppliers(file: string = dataFile('suppliers.json')): Promise<Supplier[]> {
  return (await readDataFile(file, SuppliersFileSchema)).suppliers;
}

export interface RankedContact {
  supplier_id: string;
  name: string;
  contact_name: string;
  phone: string;
  email: string;
  lead_time_days: number;
  reliability: number;
  /** 1 = call first. */
  priority: number;
  score: number;
}

/** Bonus of a supplier that lists the product over a generalist: it knows the item and has it in its catalogue. */
const SPECIALIST_BONUS = 10;

/**
 * Orders the suppliers of a product, best first. Score = reliability × 100
 * − lead time × weight (+10 for a specialist). The lead-time weight is 8
 * per day when the stock is urgent (speed matters most) and 3 otherwise.
 * Ties go to the shorter lead time, then the id (stable output).
 */
export function prioritizeSuppliers(suppliers: readonly Supplier[], productId: string, urgent: boolean): RankedContact[] {
  const weight = urgent ? 8 : 3;
  return suppliers
    .filter((s) => s.product_ids.includes(productId) || s.product_ids.includes('*'))
    .map((s) => {
      const specialist = s.product_ids.includes(productId) ? SPECIALIST_BONUS : 0;
      const score = Math.round((s.reliability * 100 - s.lead_time_days * weight + specialist) * 10) / 10;
      return { supplier: s, score };
    })
    .sort((a, b) => b.score - a.score || a.supplier.lead_time_days - b.supplier.lead_time_days || (a.supplier.id < b.supplier.id ? -1 : 1))
    .map(({ supplier: s, score }, index) => ({
      supplier_id: s.id,
      name: s.name,
      contact_name: s.contact_name,
      phone: s.phone,
      email: s.email,
      lead_time_days: s.lead_time_days,
      reliability: s.reliability,
      priority: index + 1,
      score,
    }));
}
