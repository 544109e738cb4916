/**
 * Did a spec leave the databases as it found them? A fingerprint is the exact row count of every user
 * table; two fingerprints that differ name the tables and how many rows came or went. Each also keeps a
 * transaction-id mark (taken just before counting), so that the rows behind a difference can be found
 * afterwards (see leak-explain.ts); the counting alone decides the verdict.
 */
import type { Database } from '../db/database.ts';
import { takeXidMark, type XidMark } from '../db/written-rows.ts';

export type Fingerprints = ReadonlyMap<string, ReadonlyMap<string, number>> & { readonly marks?: ReadonlyMap<string, XidMark> };

export const takeFingerprints = async (databases: ReadonlyMap<string, Database>): Promise<Fingerprints> => {
  const taken = await Promise.all(
    [...databases].map(async ([name, db]) => {
      const mark = await takeXidMark(db.query);
      return [name, await db.fingerprint(), mark] as const;
    }),
  );
  return Object.assign(new Map(taken.map(([name, counts]) => [name, counts] as const)), {
    marks: new Map(taken.map(([name, , mark]) => [name, mark] as const)),
  });
};

export type TableChange = { readonly db: string; readonly table: string; readonly before: number; readonly after: number };

/** Tables present before and after whose row count changed. */
export const countChanges = (before: Fingerprints, after: Fingerprints): TableChange[] =>
  [...after].flatMap(([db, tables]) =>
    [...tables].flatMap(([table, count]) => {
      const was = before.get(db)?.get(table);
      return was === undefined || was === count ? [] : [{ db, table, before: was, after: count }];
    }),
  );

const tableName = (db: string, table: string): string => `${db}.${table.startsWith('public.') ? table.slice('public.'.length) : table}`;

const plural = (n: number) => `${n} row${n === 1 ? '' : 's'}`;

/** Plain-language differences, e.g. "leaked 3 rows into backend.threads"; empty when nothing changed. */
export const fingerprintChanges = (before: Fingerprints, after: Fingerprints): string[] => {
  const changes: string[] = [];
  for (const [db, tablesAfter] of after) {
    const tablesBefore = before.get(db) ?? new Map<string, number>();
    for (const [table, count] of tablesAfter) {
      const was = tablesBefore.get(table);
      if (was === undefined) changes.push(`created table ${tableName(db, table)}${count > 0 ? ` with ${plural(count)}` : ''}`);
      else if (count > was) changes.push(`leaked ${plural(count - was)} into ${tableName(db, table)}`);
      else if (count < was) changes.push(`removed ${plural(was - count)} that were already in ${tableName(db, table)}`);
    }
    for (const table of tablesBefore.keys()) if (!tablesAfter.has(table)) changes.push(`dropped table ${tableName(db, table)}`);
  }
  return changes.sort();
};
