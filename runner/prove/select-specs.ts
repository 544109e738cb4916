/** Which specs can notice a mutant: those whose SQL names one of its tables in its database. Pure. */
import type { Mutant } from './mutant.ts';

export type SpecTables = ReadonlyMap<string, readonly string[]>;

/** Indexes into `tables` (one entry per spec), in the order given. `*` in a mutant's tables: every spec of its database. */
export const specsForMutant = (mutant: Pick<Mutant, 'database' | 'tables'>, tables: readonly SpecTables[]): number[] => {
  const wanted = new Set(mutant.tables);
  return tables.flatMap((byDb, index) => {
    const named = byDb.get(mutant.database);
    if (!named) return [];
    return wanted.has('*') || named.some((table) => wanted.has(table)) ? [index] : [];
  });
};
