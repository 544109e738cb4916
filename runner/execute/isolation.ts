/**
 * Did a spec leave the databases as it found them? A fingerprint is the exact row count of every user
 * table; two fingerprints that differ name the tables and how many rows came or went. Each count also
 * takes a transaction-id mark, so that the rows behind a difference can be found afterwards
 * (leak-explain.ts); the counts alone decide the verdict.
 */
import type { Database } from '../db/database.ts';
import type { XidMark } from '../db/written-rows.ts';
import type { ChangeScope } from '../db/write-graph.ts';
import type { SqlEffects } from '../sql/effects.ts';
import { plural } from '../wording.ts';

export type Fingerprints = ReadonlyMap<string, ReadonlyMap<string, number>>;

/** Per database, the tables a spec can change (see db/write-graph.ts); absent: every table. */
export type Scopes = ReadonlyMap<string, ChangeScope>;

/**
 * The tables each database's share of a spec can change. A database the spec never names cannot change
 * (PostgreSQL writes across databases only through functions such as dblink's, which make the scope
 * `everything` — and then, to be safe, on every database).
 */
export const scopesOf = async (databases: ReadonlyMap<string, Database>, writes: ReadonlyMap<string, SqlEffects>): Promise<Scopes> => {
  const scopes = await Promise.all(
    [...databases].map(async ([name, db]) => {
      const own = writes.get(name);
      return [name, own ? await db.changeScope(own) : { tables: [] }] as const;
    }),
  );
  const unbounded = scopes.find(([, scope]) => 'everything' in scope)?.[1];
  return new Map(scopes.map(([name, scope]) => [name, unbounded ?? scope]));
};

/** The mark taken with each database's latest count: counts reused from a previous spec keep its mark. */
const lastMarks = new WeakMap<Database, XidMark>();

/** Per database, the mark of its latest count (see takeFingerprints). */
export const marksOf = (databases: ReadonlyMap<string, Database>): ReadonlyMap<string, XidMark> =>
  new Map([...databases].flatMap(([name, db]) => (lastMarks.has(db) ? [[name, lastMarks.get(db)!] as const] : [])));

export type TableChange = { readonly db: string; readonly table: string; readonly before: number; readonly after: number };

/** Tables present before and after whose row count changed. */
export const countChanges = (before: Fingerprints, after: Fingerprints): TableChange[] =>
  [...after].flatMap(([db, tables]) =>
    [...tables].flatMap(([table, count]) => {
      const was = before.get(db)?.get(table);
      return was === undefined || was === count ? [] : [{ db, table, before: was, after: count }];
    }),
  );

/**
 * Row counts of the tables in scope (every table without scopes). Counts in `known` (taken after the
 * previous spec of the same worker, and nothing else writes in between) are reused instead of counted again.
 */
export const takeFingerprints = async (databases: ReadonlyMap<string, Database>, scopes?: Scopes, known?: Fingerprints): Promise<Fingerprints> =>
  new Map(
    await Promise.all(
      [...databases].map(async ([name, db]) => {
        const scope = scopes?.get(name);
        const tables = scope && 'tables' in scope ? scope.tables : undefined;
        const cached = known?.get(name);
        if (tables?.every((table) => cached?.has(table))) {
          return [name, new Map(tables.map((table) => [table, cached!.get(table)!]))] as const;
        }
        // The mark comes with the counts, from the same snapshot, in the same round trip.
        const counts = await db.fingerprint(tables);
        lastMarks.set(db, counts.xidMark);
        return [name, counts as ReadonlyMap<string, number>] as const;
      }),
    ),
  );

/** What is known after a spec: the counts just taken over those known before; a full count replaces them. */
export const mergeFingerprints = (known: Fingerprints | undefined, taken: Fingerprints, scopes: Scopes): Fingerprints =>
  new Map(
    [...new Set([...(known?.keys() ?? []), ...taken.keys()])].map((name) => {
      const scope = scopes.get(name);
      const partial = scope !== undefined && 'tables' in scope;
      return [name, new Map([...(partial ? (known?.get(name) ?? []) : []), ...(taken.get(name) ?? [])])];
    }),
  );

const tableName = (db: string, table: string): string => `${db}.${table.startsWith('public.') ? table.slice('public.'.length) : table}`;

/** Plain-language differences, e.g. "leaked 3 rows into backend.threads"; empty when nothing changed. */
export const fingerprintChanges = (before: Fingerprints, after: Fingerprints): string[] => {
  const changes: string[] = [];
  for (const [db, tablesAfter] of after) {
    const tablesBefore = before.get(db) ?? new Map<string, number>();
    for (const [table, count] of tablesAfter) {
      const was = tablesBefore.get(table);
      if (was === undefined) changes.push(`created table ${tableName(db, table)}${count > 0 ? ` with ${plural(count, 'row')}` : ''}`);
      else if (count > was) changes.push(`leaked ${plural(count - was, 'row')} into ${tableName(db, table)}`);
      else if (count < was) changes.push(`removed ${plural(was - count, 'row')} that were already in ${tableName(db, table)}`);
    }
    for (const table of tablesBefore.keys()) if (!tablesAfter.has(table)) changes.push(`dropped table ${tableName(db, table)}`);
  }
  return changes.sort();
};
