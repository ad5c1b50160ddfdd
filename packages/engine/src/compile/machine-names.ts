import type { compensationActions, compensationGuards } from './compensation-state.ts';
import type { linkActions, linkGuards } from './execution-links.ts';
import type { rootActions, rootGuards } from './machine.ts';
import type { ActionRef, StateConfig, Transition } from './machine-kit.ts';
import type { commonActions, commonGuards } from './steps/common.ts';
import type { KindActions, KindGuards } from './steps/index.ts';

/**
 * Every named guard and action of the workflow machine: the root's, the
 * saga's, those every step region shares, and each step kind's. State configs
 * are typed against these, so they may use any of them and nothing else.
 */
export type MachineGuards = ReturnType<typeof rootGuards> &
  ReturnType<typeof compensationGuards> &
  ReturnType<typeof commonGuards> &
  ReturnType<typeof linkGuards> &
  KindGuards;
export type MachineActions = ReturnType<typeof rootActions> &
  ReturnType<typeof compensationActions> &
  ReturnType<typeof commonActions> &
  ReturnType<typeof linkActions> &
  KindActions;

export type MachineState = StateConfig<MachineGuards, MachineActions>;
export type MachineTransition = Transition<MachineGuards, MachineActions>;
export type MachineActionRef = ActionRef<MachineActions>;
