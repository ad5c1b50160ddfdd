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
import { DEFAULT_HANDOFF_MAX_HOPS, type HandoffChainSettings } from './chain-settings.ts';
import type { HandoffStarter } from './handoff-trigger.ts';
import { HANDOFFS } from './handoffs.ts';
import { handOn } from './next-handoff.ts';
import {
  checksumOf,
  HandoffDeliverySchema,
  HandoffPackageSchema,
  HandoffReceiptSchema,
  PackageRequestSchema,
  type HandoffDelivery,
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
 * Hands the package to the target domain: checks it against the data it was
 * packed from, then starts the next handoff's workflow (a trigger message,
 * keyed by execution and step so a retried attempt starts it once) when
 * chaining is on. The receipt says which workflow and execution it started,
 * or why none.
 */
function executeHandoff(settings: HandoffChainSettings, starter: HandoffStarter | undefined): SquadAction<HandoffDelivery, HandoffReceipt> {
  return {
    description: 'Delivers a handoff package to its target domain and starts the next handoff',
    input: HandoffDeliverySchema,
    output: HandoffReceiptSchema,
    handler: async ({ package: pkg, handoff_data, chain }, ctx) => {
      if (checksumOf(handoff_data) !== pkg.checksum) {
        throw new NonRetryableError(`handoff_data does not match package ${pkg.package_id}'s checksum`, { code: INVALID_HANDOFF_INPUT });
      }
      const next = await handOn(
        {
          handoff: pkg.handoff,
          workflowId: pkg.workflow_id,
          nextStep: pkg.next_step,
          handoffData: handoff_data,
          link: chain,
          executionId: ctx.executionId,
          step: ctx.step,
        },
        settings,
        starter,
      );
      return {
        delivered: true,
        package_id: pkg.package_id,
        delivered_to: pkg.target_domain,
        next_step: pkg.next_step,
        checksum: pkg.checksum,
        next_handoff: next,
      };
    },
  };
}

function handoffActions(): Record<string, SquadAction> {
  const actions: Record<string, SquadAction> = {};
  for (const name of HANDOFF_CHAIN) {
    actions[`validate_${name}`] = validateAction(HANDOFFS[name]);
    actions[`transform_${name}`] = transformAction(HANDOFFS[name]);
  }
  return actions;
}

export interface AgencySquadOptions {
  /** How `execute_handoff` starts the next handoff (`triggerPublisher(transport, prefix)`); without one nothing is chained. */
  starter?: HandoffStarter;
  /** Default: chaining on when there is a starter, at most `DEFAULT_HANDOFF_MAX_HOPS` hops (`readHandoffChainSettings` reads them from the environment). */
  chain?: Partial<HandoffChainSettings>;
}

/**
 * The digital agency's handoff squad (seed 001): validate, transform,
 * package and deliver for each of the five domain handoffs. Every action but
 * `execute_handoff` is deterministic and side-effect free; `execute_handoff`
 * starts the next handoff once per step, whatever the attempt.
 */
export function createAgencySquad(options: AgencySquadOptions = {}) {
  const settings: HandoffChainSettings = {
    enabled: options.chain?.enabled ?? options.starter !== undefined,
    maxHops: options.chain?.maxHops ?? DEFAULT_HANDOFF_MAX_HOPS,
  };
  return defineSquad({
    name: AGENCY_SQUAD,
    description: 'Digital agency handoffs between offer, marketing, sales, fulfillment and feedback',
    actions: {
      ...handoffActions(),
      create_handoff_package: createHandoffPackage,
      execute_handoff: executeHandoff(settings, options.starter),
    },
  });
}
