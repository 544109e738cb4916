/**
 * `${name}` references in spec values and SQL. Finding them is this module's job; resolving them to values is
 * the plan stage's.
 */
import type { YamlValue } from './types.ts';

/** A variable reference: `${name}`. Global: reset `lastIndex` or use matchAll. */
export const VAR_PATTERN: RegExp = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Built-ins that are fresh each time they are written, so two occurrences are two different values. */
export const FRESH_BUILTINS: ReadonlySet<string> = new Set(['uuid', 'random_int']);

/** Every variable name referenced in the strings of a value (keys included), in order of appearance, repeated as written. */
export const referencesIn = (value: YamlValue): string[] => {
  const names: string[] = [];
  const walk = (v: YamlValue): void => {
    if (typeof v === 'string') {
      for (const m of v.matchAll(VAR_PATTERN)) names.push(m[1]!);
    } else if (Array.isArray(v)) {
      for (const item of v) walk(item);
    } else if (v !== null && typeof v === 'object') {
      for (const [k, item] of Object.entries(v)) {
        walk(k);
        walk(item);
      }
    }
  };
  walk(value);
  return names;
};
