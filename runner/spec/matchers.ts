/**
 * Expected cell values: a map whose keys are all matcher keys is a matcher, anything else is a plain value.
 * Checks each matcher's shape (one kind per matcher, known types, regexes that compile).
 */
import { isMap } from 'yaml';
import { authoring as problem, type Diagnostic } from '../diagnostics.ts';
import { closest } from './suggest.ts';
import type { ExpectedValue, Matcher } from './types.ts';
import { keysOf } from './schema-check.ts';
import { locOf, numberOf, numberTextOf, plainValue, stringOf, valueOf, boolOf } from './yaml-nodes.ts';
import type { Source } from './yaml-nodes.ts';

export const MATCHER_KEYS: ReadonlySet<string> = new Set(['any', 'null', 'not_null', 'regex', 'type', 'approx', 'tolerance', 'gt', 'gte', 'lt', 'lte', 'json']);
export const MATCHER_TYPES = ['uuid', 'integer', 'number', 'string', 'boolean', 'timestamp', 'date', 'json', 'array'] as const;
const COMPARE_OPS = ['gt', 'gte', 'lt', 'lte'] as const;

/** A JavaScript regular expression compiles, or the reason it does not. */
export const regexProblem = (pattern: string): string | undefined => {
  try {
    new RegExp(pattern);
    return undefined;
  } catch (error) {
    return (error as Error).message.replace(/^Invalid regular expression: /, '');
  }
};

/** A bound: a number, a `${var}`, or (for date and timestamp columns) a date or timestamp such as "2026-01-01". */
const isBoundText = (s: string): boolean => /^-?[0-9]+(\.[0-9]+)?$/.test(s) || /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(s) || /\d|^[+-]?infinity$/i.test(s);

const buildMatcher = (src: Source, node: unknown, keys: string[], path: string, out: Diagnostic[]): Matcher | undefined => {
  const loc = locOf(src, node);
  const main = keys.filter((k) => k !== 'tolerance');
  if (main.length !== 1) {
    const message =
      main.length === 0 ? `\`${path}\`: \`tolerance\` only goes with \`approx\`` : `\`${path}\`: a matcher has one kind; this one has ${main.join(' and ')}`;
    out.push(problem('DBSPEC_MATCHER', message, loc, 'to compare a JSON value that looks like a matcher, write { json: ... }'));
    return undefined;
  }
  const kind = main[0]!;
  const arg = valueOf(node, kind);
  const argLoc = locOf(src, arg, loc);
  if (kind !== 'approx' && keys.includes('tolerance')) {
    out.push(problem('DBSPEC_MATCHER', `\`${path}\`: \`tolerance\` only goes with \`approx\``, loc));
    return undefined;
  }
  switch (kind) {
    case 'any':
    case 'null':
    case 'not_null':
      if (boolOf(arg) !== true) {
        out.push(problem('DBSPEC_MATCHER', `\`${path}\`: write { ${kind}: true }`, argLoc));
        return undefined;
      }
      return { matcher: kind };
    case 'regex': {
      const pattern = stringOf(arg);
      if (pattern === undefined) {
        out.push(problem('DBSPEC_MATCHER', `\`${path}.regex\` must be text: a regular expression`, argLoc));
        return undefined;
      }
      const why = regexProblem(pattern);
      if (why) {
        out.push(problem('DBSPEC_BAD_REGEX', `\`${path}.regex\`: the regular expression does not compile: ${why}`, argLoc));
        return undefined;
      }
      return { matcher: 'regex', pattern };
    }
    case 'type': {
      const type = stringOf(arg);
      if (type === undefined || !(MATCHER_TYPES as readonly string[]).includes(type)) {
        const suggestion = type === undefined ? undefined : closest(type, MATCHER_TYPES);
        out.push(
          problem(
            'DBSPEC_UNKNOWN_MATCHER_TYPE',
            `\`${path}\`: unknown matcher type \`${String(type ?? plainValue(arg))}\`${suggestion ? `; did you mean \`${suggestion}\`?` : ''}`,
            argLoc,
            `types: ${MATCHER_TYPES.join(', ')}`,
          ),
        );
        return undefined;
      }
      return { matcher: 'type', type };
    }
    case 'approx': {
      // Kept as written: `approx: 0.1, tolerance: 0.05` compares exactly, not through doubles.
      const value = numberTextOf(arg);
      const tolerance = numberTextOf(valueOf(node, 'tolerance'));
      if (value === undefined || tolerance === undefined || (numberOf(valueOf(node, 'tolerance')) ?? -1) < 0) {
        out.push(problem('DBSPEC_MATCHER', `\`${path}\`: approx needs a number and a tolerance of 0 or more: { approx: 1.5, tolerance: 0.01 }`, loc));
        return undefined;
      }
      return { matcher: 'approx', value, tolerance };
    }
    case 'json':
      return { matcher: 'json', value: plainValue(arg) };
    default: {
      const op = kind as (typeof COMPARE_OPS)[number];
      const n = numberTextOf(arg);
      const s = stringOf(arg);
      if (n === undefined && (s === undefined || !isBoundText(s))) {
        out.push(problem('DBSPEC_MATCHER', `\`${path}.${op}\` must be a number (or, for a date or timestamp column, a date such as "2026-01-01")`, argLoc));
        return undefined;
      }
      return { matcher: 'compare', op, value: n ?? s! };
    }
  }
};

/** One expected cell. */
export const buildExpectedValue = (src: Source, node: unknown, path: string, out: Diagnostic[]): ExpectedValue | undefined => {
  const loc = locOf(src, node);
  if (isMap(node)) {
    const keys = keysOf(node);
    if (keys.length > 0 && keys.every((k) => MATCHER_KEYS.has(k))) {
      const m = buildMatcher(src, node, keys, path, out);
      return m ? { ...m, loc } : undefined;
    }
  }
  return { value: plainValue(node), loc };
};
