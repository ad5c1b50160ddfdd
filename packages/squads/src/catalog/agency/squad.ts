import { z } from 'zod';
import { defineSquad, type SquadAction } from '../../define-squad.ts';
import { NonRetryableError } from '../../errors.ts';
import {
  describeProblems,
  HANDOFF_CHAIN,
  INVALID_HANDOFF_INPUT,
  parseOrReject,
  problemsOf,
  rejectProblems,
  type Handoff,
} from './common.ts';
import { HANDOFFS } from './handoffs.ts';
import {
  checksumOf,
  HandoffPackageSchema,
  HandoffReceiptSchema,
  PackageRequestSchema,
  type HandoffPackage,
  type HandoffReceipt,
} from './package.ts';

/** Name of the squad that runs the agency's handoffs. */
export const AGENCY_SQUAD = 'agency';

/**
 * `validate_<handoff>`: the input's schema (every field at fault named) and
 * the business rules the schema cannot say. The trigger's contextSchema
 * already rejects most bad inputs; this step also guards direct callers and
 * the rules that span fields. Its output is the normalised input (defaults applied).
 */
function validateAction(handoff: Handoff): SquadAction {
  return {
    description: `Validates a ${handoff.sourceDomain} → ${handoff.targetDomain} handoff input`,
    // No runtime input schema: the handler reports problems itself, as a NonRetryableError naming the fields.
    output: z.object({ valid: z.literal(true), data: z.record(z.string(), z.unknown()) }),
    handler: (input: unknown) => {
      const data = parseOrReject(handoff.input, input, `${handoff.name} input`);
      rejectProblems(handoff.rules(data), `${handoff.name} input`);
      return { valid: true as const, data };
    },
  };
}

/** `transform_<handoff>`: the deterministic rules into the target domain's data. */
function transformAction(handoff: Handoff): SquadAction {
  return {
    description: `Transforms ${handoff.sourceDomain} data into ${handoff.targetDomain} data`,
    input: handoff.input,
    output: handoff.data,
    handler: (input: unknown) => handoff.transform(input),
  };
}

/** Checks the data against the handoff's contract and addresses it; the id follows from the run, so a retry packs the same package. */
const createHandoffPackage: SquadAction<z.output<typeof PackageRequestSchema>, HandoffPackage> = {
  description: 'Builds the handoff package: checked against the target contract, addressed and checksummed',
  input: PackageRequestSchema,
  output: HandoffPackageSchema,
  handler: ({ handoff, workflow_id, handoff_data }) => {
    const spec = HANDOFFS[handoff];
    const checked = spec.data.safeParse(handoff_data);
    if (!checked.success) {
      throw new NonRetryableError(`handoff_data does not match the ${handoff} contract: ${describeProblems(problemsOf(checked.error))}`, {
        code: INVALID_HANDOFF_INPUT,
      });
    }
    return {
      package_id: `PKG_${workflow_id}`,
      workflow_id,
      handoff,
      source_domain: spec.sourceDomain,
      target_domain: spec.targetDomain,
      next_step: spec.nextStep,
      checksum: checksumOf(handoff_data),
    };
  },
};

/**
 * Hands the package to the target domain. The domains are not services of
 * their own here, so delivery is the receipt: the package's address and
 * checksum, which the workflow's output and the next handoff rely on.
 */
const executeHandoff: SquadAction<HandoffPackage, HandoffReceipt> = {
  description: 'Delivers a handoff package to its target domain and returns the receipt',
  input: HandoffPackageSchema,
  output: HandoffReceiptSchema,
  handler: (pkg) => ({
    delivered: true,
    package_id: pkg.package_id,
    delivered_to: pkg.target_domain,
    next_step: pkg.next_step,
    checksum: pkg.checksum,
  }),
};

function handoffActions(): Record<string, SquadAction> {
  const actions: Record<string, SquadAction> = {};
  for (const name of HANDOFF_CHAIN) {
    actions[`validate_${name}`] = validateAction(HANDOFFS[name]);
    actions[`transform_${name}`] = transformAction(HANDOFFS[name]);
  }
  return actions;
}

/**
 * The digital agency's handoff squad (seed 001): validate, transform,
 * package and deliver for each of the five domain handoffs. Every action is
 * deterministic and side-effect free, so retries and redeliveries are harmless.
 */
export const agencySquad = defineSquad({
  name: AGENCY_SQUAD,
  description: 'Digital agency handoffs between offer, marketing, sales, fulfillment and feedback',
  actions: {
    ...handoffActions(),
    create_handoff_package: createHandoffPackage,
    execute_handoff: executeHandoff,
  },
});
