/**
 * PostgreSQL gives a bind parameter one type per statement, deduced from its first use. A variable written
 * twice in one statement, once with `::text` and once bare against a uuid column, fails with a type error
 * that names neither the variable nor the places: this says both, and the fix.
 */
import type { DbError } from '../db/db-error.ts';
import type { BoundStatement } from '../spec/bind.ts';
import { FRESH_BUILTINS, VAR_PATTERN } from '../spec/vars.ts';

/** Type mismatch, no operator for these types, inconsistent or undeterminable parameter types. */
const TYPE_ERRORS = new Set(['42804', '42883', '42P08', '42P18']);

const CAST = /^\s*::\s*("[^"]+"|[A-Za-z_][A-Za-z0-9_.]*(?:\s*\[\])?)/;

type Use = { readonly cast: string | undefined; readonly line: number; readonly column?: number };

const usesByName = (statement: BoundStatement): Map<string, Use[]> => {
  const uses = new Map<string, Use[]>();
  for (const m of statement.source.matchAll(VAR_PATTERN)) {
    const name = m[1]!;
    if (FRESH_BUILTINS.has(name)) continue;
    const before = statement.source.slice(0, m.index);
    const newlines = before.split('\n').length - 1;
    const cast = CAST.exec(statement.source.slice(m.index + m[0].length))?.[1]?.toLowerCase();
    const use: Use = {
      cast,
      line: statement.loc.line + newlines,
      // Columns are known on the statement's first line only (later lines of a block scalar are indented).
      ...(newlines === 0 ? { column: statement.loc.column + m.index } : {}),
    };
    uses.set(name, [...(uses.get(name) ?? []), use]);
  }
  return uses;
};

const place = (name: string, use: Use): string =>
  `${use.cast ? `as ${use.cast} (\`\${${name}}::${use.cast}\`)` : 'without a cast'} at line ${use.line}${use.column !== undefined ? `:${use.column}` : ''}`;

/** A sentence for a type error caused by one variable used as two types, or undefined. */
export const twoTypesNote = (error: DbError, statement: BoundStatement): string | undefined => {
  if (!error.code || !TYPE_ERRORS.has(error.code)) return undefined;
  for (const [name, uses] of usesByName(statement)) {
    const kinds = [...new Map(uses.map((u) => [u.cast ?? '', u])).values()];
    if (kinds.length < 2) continue;
    const wanted = /is of type ([\w ]+?) but expression/.exec(error.message)?.[1];
    const fix = wanted ? `, e.g. \`\${${name}}::${wanted}\` at both` : '';
    return (
      `\`\${${name}}\` is used as two types in this statement: ${place(name, kinds[0]!)} and ${place(name, kinds[1]!)}. ` +
      `PostgreSQL gives a variable one type per statement, taken from its first use; write the same cast at every place${fix}`
    );
  }
  return undefined;
};
