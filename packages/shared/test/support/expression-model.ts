/**
 * A small grammar of condition and mapping expressions (reliability matrix
 * H2) and a reference evaluator for it: fast-check builds a tree, `source`
 * prints it as JSONata (fully parenthesised, so precedence is not what is
 * tested), and `reference` computes what it must give over the context.
 *
 * Covered: number, string and boolean literals; paths (`a`, `obj.x`,
 * `$context.a`, `$steps.prev.n`); `+ - *`; comparisons; `and`, `or`, `$not`;
 * `&`; `$length`, `$uppercase`, `$lowercase`, `$substring`, `$contains`,
 * `$count`, `$sum`; a conditional `? :`. Division is left out on purpose:
 * JSONata refuses non-finite numbers, which the grammar would then have to model.
 */
import fc from 'fast-check';

export interface ModelContext {
  a: number;
  b: number;
  s: string;
  t: string;
  flag: boolean;
  items: number[];
  obj: { x: number; y: string };
}

export type NumNode =
  | { k: 'num'; v: number }
  | { k: 'npath'; path: 'a' | 'b' | 'obj.x' | '$context.a' | '$steps.prev.n' }
  | { k: 'arith'; op: '+' | '-' | '*'; l: NumNode; r: NumNode }
  | { k: 'length'; s: StrNode }
  | { k: 'count' }
  | { k: 'sum' }
  | { k: 'nif'; c: BoolNode; t: NumNode; f: NumNode };

export type StrNode =
  | { k: 'str'; v: string }
  | { k: 'spath'; path: 's' | 't' | 'obj.y' }
  | { k: 'concat'; l: StrNode; r: StrNode }
  | { k: 'case'; fn: '$uppercase' | '$lowercase'; s: StrNode }
  | { k: 'substring'; s: StrNode; start: number; length: number };

export type BoolNode =
  | { k: 'bool'; v: boolean }
  | { k: 'flag' }
  | { k: 'ncmp'; op: '<' | '<=' | '>' | '>=' | '=' | '!='; l: NumNode; r: NumNode }
  | { k: 'scmp'; op: '=' | '!='; l: StrNode; r: StrNode }
  | { k: 'logic'; op: 'and' | 'or'; l: BoolNode; r: BoolNode }
  | { k: 'not'; b: BoolNode }
  | { k: 'contains'; s: StrNode; part: string };

const word = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'x', ' ', 'É', 'ß'), maxLength: 6 });

export const modelContext: fc.Arbitrary<ModelContext> = fc.record({
  a: fc.integer({ min: -20, max: 20 }),
  b: fc.integer({ min: -20, max: 20 }),
  s: word,
  t: word,
  flag: fc.boolean(),
  items: fc.array(fc.integer({ min: -9, max: 9 }), { maxLength: 4 }),
  obj: fc.record({ x: fc.integer({ min: 0, max: 9 }), y: word }),
});

/** `$steps.prev.n` in every scope the tests build. */
export const PREV_N = 7;

const { num, str, bool } = fc.letrec<{ num: NumNode; str: StrNode; bool: BoolNode }>((tie) => ({
  num: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ k: fc.constant('num' as const), v: fc.integer({ min: 0, max: 20 }) }),
    fc.record({ k: fc.constant('npath' as const), path: fc.constantFrom('a', 'b', 'obj.x', '$context.a', '$steps.prev.n') }),
    fc.record({ k: fc.constant('arith' as const), op: fc.constantFrom('+', '-', '*'), l: tie('num'), r: tie('num') }),
    fc.record({ k: fc.constant('length' as const), s: tie('str') }),
    fc.record({ k: fc.constant('count' as const) }),
    fc.record({ k: fc.constant('sum' as const) }),
    fc.record({ k: fc.constant('nif' as const), c: tie('bool'), t: tie('num'), f: tie('num') }),
  ) as fc.Arbitrary<NumNode>,
  str: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ k: fc.constant('str' as const), v: word }),
    fc.record({ k: fc.constant('spath' as const), path: fc.constantFrom('s', 't', 'obj.y') }),
    fc.record({ k: fc.constant('concat' as const), l: tie('str'), r: tie('str') }),
    fc.record({ k: fc.constant('case' as const), fn: fc.constantFrom('$uppercase', '$lowercase'), s: tie('str') }),
    fc.record({
      k: fc.constant('substring' as const),
      s: tie('str'),
      start: fc.integer({ min: 0, max: 5 }),
      length: fc.integer({ min: 0, max: 5 }),
    }),
  ) as fc.Arbitrary<StrNode>,
  bool: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ k: fc.constant('bool' as const), v: fc.boolean() }),
    fc.record({ k: fc.constant('flag' as const) }),
    fc.record({ k: fc.constant('ncmp' as const), op: fc.constantFrom('<', '<=', '>', '>=', '=', '!='), l: tie('num'), r: tie('num') }),
    fc.record({ k: fc.constant('scmp' as const), op: fc.constantFrom('=', '!='), l: tie('str'), r: tie('str') }),
    fc.record({ k: fc.constant('logic' as const), op: fc.constantFrom('and', 'or'), l: tie('bool'), r: tie('bool') }),
    fc.record({ k: fc.constant('not' as const), b: tie('bool') }),
    fc.record({ k: fc.constant('contains' as const), s: tie('str'), part: word }),
  ) as fc.Arbitrary<BoolNode>,
}));

export const numExpr = num;
export const strExpr = str;
export const boolExpr = bool;

const lit = (v: string): string => JSON.stringify(v);

export function numSource(n: NumNode): string {
  switch (n.k) {
    case 'num':
      return String(n.v);
    case 'npath':
      return n.path;
    case 'arith':
      return `(${numSource(n.l)} ${n.op} ${numSource(n.r)})`;
    case 'length':
      return `$length(${strSource(n.s)})`;
    case 'count':
      return '$count(items)';
    case 'sum':
      return '$sum(items)';
    case 'nif':
      return `(${boolSource(n.c)} ? ${numSource(n.t)} : ${numSource(n.f)})`;
  }
}

export function strSource(n: StrNode): string {
  switch (n.k) {
    case 'str':
      return lit(n.v);
    case 'spath':
      return n.path;
    case 'concat':
      return `(${strSource(n.l)} & ${strSource(n.r)})`;
    case 'case':
      return `${n.fn}(${strSource(n.s)})`;
    case 'substring':
      return `$substring(${strSource(n.s)}, ${n.start}, ${n.length})`;
  }
}

export function boolSource(n: BoolNode): string {
  switch (n.k) {
    case 'bool':
      return String(n.v);
    case 'flag':
      return 'flag';
    case 'ncmp':
    case 'scmp':
      return `(${n.k === 'ncmp' ? numSource(n.l) : strSource(n.l)} ${n.op} ${n.k === 'ncmp' ? numSource(n.r) : strSource(n.r)})`;
    case 'logic':
      return `(${boolSource(n.l)} ${n.op} ${boolSource(n.r)})`;
    case 'not':
      return `$not(${boolSource(n.b)})`;
    case 'contains':
      return `$contains(${strSource(n.s)}, ${lit(n.part)})`;
  }
}

/** The reference evaluator: plain TypeScript over the same context. */
export function numValue(n: NumNode, c: ModelContext): number {
  switch (n.k) {
    case 'num':
      return n.v;
    case 'npath':
      return n.path === 'obj.x' ? c.obj.x : n.path === '$steps.prev.n' ? PREV_N : n.path === '$context.a' ? c.a : c[n.path];
    case 'arith': {
      const l = numValue(n.l, c);
      const r = numValue(n.r, c);
      return n.op === '+' ? l + r : n.op === '-' ? l - r : l * r;
    }
    case 'length':
      return [...strValue(n.s, c)].length;
    case 'count':
      return c.items.length;
    case 'sum':
      return c.items.reduce((x, y) => x + y, 0);
    case 'nif':
      return boolValue(n.c, c) ? numValue(n.t, c) : numValue(n.f, c);
  }
}

export function strValue(n: StrNode, c: ModelContext): string {
  switch (n.k) {
    case 'str':
      return n.v;
    case 'spath':
      return n.path === 'obj.y' ? c.obj.y : c[n.path];
    case 'concat':
      return strValue(n.l, c) + strValue(n.r, c);
    case 'case':
      return n.fn === '$uppercase' ? strValue(n.s, c).toUpperCase() : strValue(n.s, c).toLowerCase();
    case 'substring':
      return [...strValue(n.s, c)].slice(n.start, n.start + n.length).join('');
  }
}

export function boolValue(n: BoolNode, c: ModelContext): boolean {
  switch (n.k) {
    case 'bool':
      return n.v;
    case 'flag':
      return c.flag;
    case 'ncmp': {
      const l = numValue(n.l, c);
      const r = numValue(n.r, c);
      return { '<': l < r, '<=': l <= r, '>': l > r, '>=': l >= r, '=': l === r, '!=': l !== r }[n.op];
    }
    case 'scmp':
      return n.op === '=' ? strValue(n.l, c) === strValue(n.r, c) : strValue(n.l, c) !== strValue(n.r, c);
    case 'logic':
      return n.op === 'and' ? boolValue(n.l, c) && boolValue(n.r, c) : boolValue(n.l, c) || boolValue(n.r, c);
    case 'not':
      return !boolValue(n.b, c);
    case 'contains':
      return strValue(n.s, c).includes(n.part);
  }
}
