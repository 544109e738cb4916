/**
 * Explains a leak the row counts found: which rows (by primary key, with a few columns), which statement or
 * trigger likely wrote them, and the cleanup that would remove them. Runs only after the counts differ, and
 * only for the tables that changed; separate from the check itself, which may change (see isolation.ts).
 */
import type { Database } from '../db/database.ts';
import { rowsWrittenBetween, tableShapes, type TableShape, type WrittenRow, type XidMark } from '../db/written-rows.ts';
import type { Plan } from '../plan/plan.ts';
import type { CleanupProposal, LeakedTable } from '../results/types.ts';
import type { Spec } from '../spec/types.ts';
import { proposeCleanup, type KnownValue, type LeakedRows } from './cleanup-proposal.ts';
import { countChanges, type Fingerprints, type TableChange } from './isolation.ts';
import { likelyWriter, names, specStatements, type SpecStatement } from './leak-writers.ts';
import type { VarScope } from './scope.ts';

/** Rows fetched per table (enough to propose a cleanup); fewer are shown. */
const FETCHED = 100;
const SHOWN = 10;
/** Primary key plus this many more columns are shown. */
const SHOWN_COLUMNS = 4;

export type LeakExplanation = { readonly leaks: readonly LeakedTable[]; readonly cleanup: readonly CleanupProposal[] };

/** Values a leaked row may have taken from the spec: declared and captured variables, run and spec ids. */
export const knownValues = (spec: Spec, scope: VarScope): KnownValue[] => {
  const captured = spec.steps.flatMap((s) => (s.kind === 'query' ? Object.keys(s.capture) : []));
  return [...spec.vars.map((v) => v.name), ...captured, 'run_id', 'spec_id'].flatMap((name) => {
    try {
      const value = scope.valueOf(name);
      const text = typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint' ? String(value) : undefined;
      // Short values (1, 'a') match cells by accident.
      return text !== undefined && text.length >= 4 ? [{ name, text }] : [];
    } catch {
      return [];
    }
  });
};

const shownColumns = (shape: TableShape): string[] => [
  ...shape.primaryKey,
  ...shape.columns.filter((c) => !shape.primaryKey.includes(c)).slice(0, Math.max(1, SHOWN_COLUMNS - shape.primaryKey.length + 1)),
];

const listed = (shape: TableShape, rows: readonly WrittenRow[]) => {
  const columns = shownColumns(shape);
  return { columns, rows: rows.slice(0, SHOWN).map((row) => columns.map((c) => row[c] ?? null)) };
};

const remover = (table: string, db: string, statements: readonly SpecStatement[]): string | undefined => {
  const found = statements.find((s) => s.db === db && s.writes.some((w) => (w.verb === 'delete' || w.verb === 'merge') && names(w, table)));
  return found ? `the delete in ${found.label} (${found.location})` : undefined;
};

const leakedTable = (change: TableChange, shape: TableShape | undefined, rows: readonly WrittenRow[], likelyBy: string | undefined): LeakedTable => {
  const count = change.after - change.before;
  const base = { db: change.db, table: change.table, change: 'leaked' as const, count, ...(likelyBy ? { likelyBy } : {}) };
  if (!shape || rows.length === 0) return { ...base, note: 'the rows could not be told apart from those already there' };
  const more = rows.length - Math.min(rows.length, SHOWN);
  const note =
    rows.length > count
      ? `${rows.length}${rows.length === FETCHED ? '+' : ''} rows were written during the spec, ${count} more than were removed: some of them may be rows that were already there and only updated`
      : undefined;
  return { ...base, rows: listed(shape, rows), ...(more > 0 ? { moreRows: more } : {}), ...(note ? { note } : {}) };
};

const removedTable = (change: TableChange, likelyBy: string | undefined): LeakedTable => ({
  db: change.db,
  table: change.table,
  change: 'removed',
  count: change.before - change.after,
  ...(likelyBy ? { likelyBy } : {}),
  note: 'rows that were deleted cannot be listed afterwards; look for a delete whose `where` matches more than the spec wrote',
});

type ExplainInput = {
  readonly spec: Spec;
  readonly plan: Plan;
  readonly scope: VarScope;
  readonly databases: ReadonlyMap<string, Database>;
  readonly before: Fingerprints;
  readonly after: Fingerprints;
  /** Transaction-id marks taken with the counts before and after the spec (see isolation.ts). */
  readonly marks: { readonly before: ReadonlyMap<string, XidMark>; readonly after: ReadonlyMap<string, XidMark> };
};

export const explainLeaks = async (input: ExplainInput): Promise<LeakExplanation> => {
  const changes = countChanges(input.before, input.after);
  const statements = specStatements(input.spec, input.plan);
  const values = knownValues(input.spec, input.scope);
  const leaks: LeakedTable[] = [];
  const cleanup: CleanupProposal[] = [];
  for (const db of [...new Set(changes.map((c) => c.db))]) {
    const database = input.databases.get(db)!;
    const shapes = await tableShapes(database.query);
    const from = input.marks.before.get(db);
    const to = input.marks.after.get(db);
    const leakedRows: LeakedRows[] = [];
    for (const change of changes.filter((c) => c.db === db)) {
      if (change.after < change.before) {
        leaks.push(removedTable(change, remover(change.table, db, statements)));
        continue;
      }
      const shape = shapes.find((s) => s.table === change.table);
      const rows = shape && from && to ? await rowsWrittenBetween(database.query, shape, from, to, FETCHED) : [];
      leaks.push(leakedTable(change, shape, rows, likelyWriter(change.table, db, statements, shapes)));
      if (shape && rows.length > 0) leakedRows.push({ db, shape, rows });
    }
    const cleaned = statements
      .filter((s) => s.db === db && s.label.startsWith('cleanup'))
      .flatMap((s) => s.writes.flatMap((w) => shapes.filter((shape) => names(w, shape.table)).map((shape) => shape.table)));
    cleanup.push(...proposeCleanup(db, leakedRows, shapes, values, cleaned));
  }
  return { leaks, cleanup };
};
