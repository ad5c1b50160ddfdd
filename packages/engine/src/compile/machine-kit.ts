import {
  assign,
  raise,
  type EventObject,
  type MetaObject,
  type ParameterizedObject,
  type StateNodeConfig,
  type TransitionConfig,
} from 'xstate';
import type { InternalEvent, MachineEvent } from './events.ts';
import type { ExecutionContext } from './types.ts';

/**
 * The typed vocabulary of the compiled machine's pieces. Guards and actions
 * are named and given to XState's `setup()` (machine.ts); the state configs
 * that the step kinds, the saga and the root build refer to them by name and
 * are typed against the names they may use, so a misspelt guard or action, or
 * wrong params, fails typecheck.
 */
export type Ctx = ExecutionContext;

/** What a guard sees. */
export interface GuardArgs {
  context: Ctx;
  event: MachineEvent;
}

/** The params of most named guards and actions: the step they belong to. */
export interface StepParams {
  step: string;
}

type Params = ParameterizedObject['params'];

/** A named action that computes the next context (effects go to its outbox). */
export const act = <P extends Params = undefined>(fn: (ctx: Ctx, event: MachineEvent, params: P) => Ctx) =>
  assign<Ctx, MachineEvent, P, MachineEvent, never>(({ context, event }, params) => fn(context, event, params));

/** A named action that raises one of the machine's internal events. */
export const raiseInternal = (event: InternalEvent) => raise<Ctx, MachineEvent, MachineEvent, undefined, never, never>(event);

/** A reference to a named guard or action with its params, as a state config holds it. */
export const named = <const K extends string, const P extends Params>(type: K, params: P): { type: K; params: P } => ({ type, params });

type ParamsOf<T> = { [K in keyof T]: T[K] extends (args: never, params: infer P) => unknown ? P : never };
/** The `{ type, params }` references allowed for a record of named guards or actions. */
type Named<T> = { [K in keyof T & string]: { type: K; params: ParamsOf<T>[K] } }[keyof T & string];

/** A state config that may use the guards `G` and the actions `A` (records of named implementations). */
export type StateConfig<G, A> = StateNodeConfig<
  Ctx,
  MachineEvent,
  never,
  Named<A>,
  Named<G>,
  never,
  string,
  unknown,
  EventObject,
  MetaObject
>;

/** One transition that may use the guards `G` and the actions `A`. */
export type Transition<G, A> = TransitionConfig<Ctx, MachineEvent, MachineEvent, never, Named<A>, Named<G>, never, EventObject, MetaObject>;

/** A reference to one of the named actions `A`, with its params. */
export type ActionRef<A> = Named<A>;
