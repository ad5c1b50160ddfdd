import { describe, expect, it } from 'vitest';
import { formatOf, parseDefinition, serializeDefinition, workflow, type SquadflowError } from '../src/index.ts';

const def = workflow('order')
  .task('reserve', { squad: 'inventory', action: 'reserve', retry: { retries: 2 } })
  .wait('paid', { signal: 'paid_{order_id}', timeout: '2h', dependsOn: ['reserve'] })
  .task('remind', { squad: 'whatsapp', action: 'send', dependsOn: [{ step: 'paid', on: 'timeout' }] })
  .build();

describe('definition import and export', () => {
  it.each(['json', 'yaml'] as const)('round-trips a definition through %s unchanged', (format) => {
    const text = serializeDefinition(def, format);
    expect(parseDefinition(text, format)).toEqual(def);
  });

  it('reads a hand-written YAML definition with defaults filled in', () => {
    const parsed = parseDefinition(
      [
        'name: stock_alert',
        'steps:',
        '  - name: analyze',
        '    squad: inventory',
        '    action: analyze_critical_stock',
        '    delay: 1m',
      ].join('\n'),
      'yaml',
    );
    expect(parsed.steps[0]).toMatchObject({ name: 'analyze', type: 'task', delay: '1m', dependsOn: [] });
  });

  it('names the line and column of a YAML syntax error', () => {
    const err = (() => {
      try {
        parseDefinition('name: x\nsteps:\n  - name: a\n   squad: [', 'yaml', 'flows/x.yaml');
      } catch (e) {
        return e as SquadflowError;
      }
    })();
    expect(err?.code).toBe('INVALID_DEFINITION');
    expect(err?.message).toMatch(/flows\/x\.yaml: not valid YAML at line \d+, column \d+/);
  });

  it('names the field of a schema error in YAML as in JSON', () => {
    expect(() => parseDefinition('name: x\nsteps:\n  - name: a\n    squad: s\n    action: b\n    dependsOn: [ghost]', 'yaml')).toThrow(
      /steps\.0\.dependsOn\.0: step "a" depends on unknown step "ghost"/,
    );
  });

  it('tells the format from the file name', () => {
    expect(formatOf('a/b.yml')).toBe('yaml');
    expect(formatOf('flow.JSON')).toBe('json');
    expect(() => formatOf('flow.toml')).toThrow(/unknown definition format/);
  });
});
