import { SquadflowError } from '../errors.ts';
import { EXPRESSION_LIMITS, limitError } from './limits.ts';

/**
 * Checks of the picture strings of `$fromMillis`, `$now` and `$toMillis`
 * (XPath date pictures such as `[Y0001]-[M01]-[D01]`), which JSONata turns
 * into native work no timeout can interrupt:
 * - a width modifier (`[Y,500000000]`) pads with that many zeros in one call;
 * - `$toMillis` builds a backtracking regular expression from the picture, and
 *   markers that can each take the same characters (`[D]1[M]1[Y]`: digits with
 *   a digit between them) backtrack combinatorially over a customer's string.
 */

type CharClass = 'digits' | 'letters' | 'words' | 'sign';

interface Marker {
  component: string;
  presentation: string;
  ordinal: boolean;
  width: string | undefined;
}

type Part = { literal: string } | { marker: Marker };

/** JSONata's default presentation of each component (`analyseDateTimePicture`). */
const DEFAULT_PRESENTATION: Record<string, string> = {
  Y: '1',
  M: '1',
  D: '1',
  d: '1',
  F: 'n',
  W: '1',
  w: '1',
  X: '1',
  x: '1',
  H: '1',
  h: '1',
  P: 'n',
  m: '01',
  s: '01',
  f: '1',
  Z: '01:01',
  z: '01:01',
  C: 'n',
  E: 'n',
};
const INTEGER_COMPONENTS = 'YMDdFWwXxHhmsf';

/** Throws `EXPRESSION_LIMIT` when a width modifier of a formatting picture is over the limit. */
export function checkFormatPicture(picture: unknown): void {
  if (typeof picture !== 'string') return;
  for (const part of parsePicture(picture)) {
    if (!('marker' in part) || part.marker.width === undefined) continue;
    for (const digits of part.marker.width.match(/\d+/g) ?? []) {
      if (Number(digits) > EXPRESSION_LIMITS.pictureWidth) {
        throw limitError(`the picture width ${digits} is over the limit of ${EXPRESSION_LIMITS.pictureWidth}`);
      }
    }
  }
}

/**
 * Throws `INVALID_EXPRESSION` for a `$toMillis` picture whose regular
 * expression could backtrack: every variable-width marker must be followed
 * by the end, or by text or a marker that cannot start with a character the
 * marker itself may take (so where it ends is never in doubt).
 */
export function checkParsePicture(picture: unknown): void {
  if (typeof picture !== 'string') return;
  checkFormatPicture(picture);
  const parts = parsePicture(picture);
  parts.forEach((part, i) => {
    if (!('marker' in part)) return;
    const tail = tailClass(part.marker, parts[i + 1]);
    const next = parts[i + 1];
    if (tail === undefined || next === undefined) return;
    const clash = 'literal' in next ? inClass(next.literal[0] ?? '', tail) : overlaps(tail, firstClass(next.marker));
    if (clash) {
      throw new SquadflowError(
        'INVALID_EXPRESSION',
        `the $toMillis picture ${JSON.stringify(picture)} is ambiguous: marker ${i + 1} may take the ${tail} that follow it; separate the markers with other characters`,
      );
    }
  });
}

/** Literal text and markers, as JSONata's `analyseDateTimePicture` splits them (`[[` and `]]` are literal brackets). */
function parsePicture(picture: string): Part[] {
  const parts: Part[] = [];
  let literal = '';
  let pos = 0;
  while (pos < picture.length) {
    const c = picture[pos]!;
    if (c === '[' && picture[pos + 1] === '[') {
      literal += '[';
      pos += 2;
    } else if (c === ']' && picture[pos + 1] === ']') {
      literal += ']';
      pos += 2;
    } else if (c === '[') {
      const end = picture.indexOf(']', pos);
      if (end === -1) break; // JSONata rejects an unclosed marker itself (D3135)
      if (literal) parts.push({ literal });
      literal = '';
      parts.push({ marker: parseMarker(picture.slice(pos + 1, end).replace(/\s+/g, '')) });
      pos = end + 1;
    } else {
      literal += c;
      pos++;
    }
  }
  if (literal) parts.push({ literal });
  return parts;
}

function parseMarker(text: string): Marker {
  const component = text.charAt(0);
  const comma = text.lastIndexOf(',');
  let presentation = comma === -1 ? text.slice(1) : text.slice(1, comma);
  let ordinal = false;
  if (presentation.length > 1 && 'atco'.includes(presentation.at(-1)!)) {
    ordinal = presentation.at(-1) === 'o';
    presentation = presentation.slice(0, -1);
  }
  return {
    component,
    presentation: presentation || DEFAULT_PRESENTATION[component] || '',
    ordinal,
    width: comma === -1 ? undefined : text.slice(comma + 1),
  };
}

/** What a marker's regular expression is built from (JSONata's `generateRegex`). */
function kind(marker: Marker): CharClass | 'zone' {
  if (marker.component === 'Z' || marker.component === 'z') return 'zone';
  if (marker.component === 'f') return 'digits';
  const p = marker.presentation;
  if (p.startsWith('n') || p.startsWith('N') || p === 'A' || p === 'a' || p === 'I' || p === 'i') return 'letters';
  if (p === 'W' || p === 'Ww' || p === 'w') return 'words';
  return 'digits';
}

function firstClass(marker: Marker): CharClass {
  const k = kind(marker);
  if (k === 'zone') return marker.component === 'z' ? 'letters' : 'sign';
  return k;
}

/**
 * The characters a marker's variable-width tail repeats, or undefined when
 * its end is fixed: an ordinal's suffix, or a decimal marker directly followed
 * by another integer marker (JSONata then parses it with a fixed width).
 */
function tailClass(marker: Marker, next: Part | undefined): CharClass | undefined {
  const k = kind(marker);
  if (k === 'zone') return 'digits';
  if (k !== 'digits' || marker.component === 'f') return k;
  if (marker.ordinal) return undefined;
  const nextIsInteger =
    next !== undefined && 'marker' in next && INTEGER_COMPONENTS.includes(next.marker.component) && !/^[nN]/.test(next.marker.presentation);
  return nextIsInteger && INTEGER_COMPONENTS.includes(marker.component) ? undefined : 'digits';
}

function inClass(c: string, cls: CharClass): boolean {
  if (cls === 'digits') return /[0-9]/.test(c);
  if (cls === 'letters') return /[a-z]/i.test(c);
  if (cls === 'words') return /[a-z\-, ]/i.test(c);
  return c === '+' || c === '-';
}

function overlaps(a: CharClass, b: CharClass): boolean {
  if (a === b) return true;
  const pair = new Set([a, b]);
  return (pair.has('letters') && pair.has('words')) || (pair.has('words') && pair.has('sign'));
}
