import { z } from 'zod';

/**
 * An optional text field that also accepts `null`, read as absent: step
 * outputs use null for "none" (e.g. `product_name: null`), and a JSONata
 * mapping of a missing field yields nothing, so both must mean "not given".
 */
export const optionalText = z
  .string()
  .nullish()
  .transform((v) => v ?? undefined);
