import { describe, expect, expectTypeOf, it } from 'vitest';
import { WorkflowBuilder } from '../src/definition/builder.ts';
import { SquadflowError, validateDefinition, workflow, type WorkflowDefinition } from '../src/index.ts';

describe('workflow() builder', () => {
  it('produces the same JSON as the equivalent literal definition', () => {
    const built = workflow('abandoned_cart')
      .describe('Recover abandoned carts')
      .contextSchema({ type: 'object', required: ['phone'] })
      .defaults({ timeout: '10s', retry: { retries: 2 } })
      .task('reserve', {
        squad: 'inventory',
        action: 'reserve',
        retry: { retries: 3, initialInterval: '2s' },
        onError: 'compensate',
        compensate: { action: 'release' },
      })
      .task('send_offer', { squad: 'whatsapp', action: 'send', dependsOn: ['reserve'], delay: '5m', input: { to: 'phone' } })
      .wait('wait_reply', { signal: 'ai_conversation_{phone}', timeout: '2h', dependsOn: ['send_offer'] })
      .task('remind', {
        squad: 'whatsapp',
        action: 'send',
        condition: 'cart_value > 100',
        dependsOn: [{ step: 'wait_reply', on: 'timeout' }],
      })
      .output('$steps.remind')
      .build();

    const literal = validateDefinition({
      name: 'abandoned_cart',
      description: 'Recover abandoned carts',
      contextSchema: { type: 'object', required: ['phone'] },
      defaults: { timeout: '10s', retry: { retries: 2 } },
      steps: [
        {
          name: 'reserve',
          squad: 'inventory',
          action: 'reserve',
          retry: { retries: 3, initialInterval: '2s' },
          onError: 'compensate',
          compensate: { action: 'release' },
        },
        { name: 'send_offer', squad: 'whatsapp', action: 'send', dependsOn: ['reserve'], delay: '5m', input: { to: 'phone' } },
        { name: 'wait_reply', type: 'wait', signal: 'ai_conversation_{phone}', timeout: '2h', dependsOn: ['send_offer'] },
        {
          name: 'remind',
          squad: 'whatsapp',
          action: 'send',
          condition: 'cart_value > 100',
          dependsOn: [{ step: 'wait_reply', on: 'timeout' }],
        },
      ],
      output: '$steps.remind',
    });

    expect(JSON.parse(JSON.stringify(built))).toEqual(JSON.parse(JSON.stringify(literal)));
    expect(built.steps.map((s) => s.name)).toEqual(['reserve', 'send_offer', 'wait_reply', 'remind']);
  });

  it('validates on build() exactly as registration does', () => {
    const builder = workflow('order').task('a', { squad: 'inventory', action: 'check', delay: 'later' });
    expect(() => builder.build()).toThrow(SquadflowError);
    expect(() => builder.build()).toThrow(/steps\.0\.delay/);
  });

  it('returns a definition that is independent of the builder', () => {
    const builder = workflow('order').task('a', { squad: 'inventory', action: 'check', input: { sku: 'sku' } });
    const first = builder.build();
    (first.steps[0] as { input: Record<string, string> }).input['sku'] = 'changed';
    expect(builder.build().steps[0]).toMatchObject({ input: { sku: 'sku' } });
  });

  it('types: dependsOn accepts only the names of steps added before', () => {
    const b = workflow('typed')
      .task('first', { squad: 's', action: 'a' })
      .wait('w', { signal: 'k', dependsOn: ['first'] });
    expectTypeOf(b).toEqualTypeOf<WorkflowBuilder<'first' | 'w'>>();
    expectTypeOf(b.build()).toEqualTypeOf<WorkflowDefinition>();

    b.task('ok', { squad: 's', action: 'a', dependsOn: ['first', { step: 'w', on: 'signal' }] });
    // @ts-expect-error "later" is not a step added before
    b.task('bad', { squad: 's', action: 'a', dependsOn: ['later'] });
    // @ts-expect-error a step cannot depend on itself through the builder
    workflow('typed').task('self', { squad: 's', action: 'a', dependsOn: ['self'] });
    // @ts-expect-error `on` only takes "signal" or "timeout"
    b.task('bad_on', { squad: 's', action: 'a', dependsOn: [{ step: 'w', on: 'done' }] });
    // @ts-expect-error onError is one of fail | skip | compensate | escalate
    b.task('bad_onerror', { squad: 's', action: 'a', onError: 'ignore' });

    // The type checker is the real assertion here (pnpm typecheck); the calls above still ran.
    expect(b).toBeInstanceOf(WorkflowBuilder);
  });
});
