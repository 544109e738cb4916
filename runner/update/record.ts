/**
 * Record mode, `dbspec run --update`: run as usual, then write the rows that really came back into every
 * `expect.rows` that did not hold (a wrong expectation, or `rows: []` written as a placeholder), and say
 * what changed. A passing expectation is never touched. Only disposable databases: recording trusts
 * whatever the database says, so it must be one dbspec built itself from the migrations.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type Document, isMap, isSeq } from 'yaml';
import type { Config } from '../config.ts';
import { redactUrl } from '../redact.ts';
import type { QueryResult } from '../db/query-result.ts';
import type { Diagnostic } from '../diagnostics.ts';
import { resolveRows } from '../execute/expectation.ts';
import { matchValue } from '../execute/match-value.ts';
import type { VarScope } from '../execute/scope.ts';
import { keyText, parseYamlText } from '../spec/load.ts';
import type { ResultExpectation } from '../spec/types.ts';
import { blockRow, rowComments } from './block-row.ts';
import type { Recorded } from './recorder.ts';
import { renderCell, yamlKey, type RenderContext } from './render-value.ts';
import { applyEdits, mapAt, rowsEdit, rowsPairOf, sourceOf, type TextEdit } from './rewrite-rows.ts';
import { plural } from '../wording.ts';

/** More rows than this are not a readable expectation: narrow the query, or check `count`. */
export const MAX_RECORDED_ROWS = 50;

/** Databases record mode may not write to: any given by URL and not marked disposable (even with --allow-shared). */
export const refuseShared = (config: Config): Diagnostic[] =>
  config.databases
    .filter((d) => d.url !== undefined && !d.disposable)
    .map((d) => ({
      kind: 'config',
      code: 'DBSPEC_UPDATE_NOT_DISPOSABLE',
      message: `--update refuses to run against \`${d.name}\` at ${redactUrl(d.url!)}: it is not marked disposable, and recorded rows would be whatever that shared database holds`,
      hint: `unset ${d.urlEnv} to record on the embedded server built from the migrations, or set \`disposable: true\` for \`${d.name}\` in dbspec.config.yaml`,
    }));

export type RowsChange = {
  readonly file: string;
  readonly line: number;
  readonly step: string;
  readonly rows: number;
  /** Why the expectation was left as it was, when it was. */
  readonly skipped?: string;
};

/** The columns to write: those the expectation wrote (and the result has), else all of them. */
const columnsToWrite = (expect: ResultExpectation, result: QueryResult): number[] => {
  const firstIndex = (name: string) => result.columns.findIndex((c) => c.name === name);
  const all = result.columns.map((c, i) => (firstIndex(c.name) === i ? i : -1)).filter((i) => i !== -1);
  if (expect.columns === 'exact') return all;
  const written = new Set((expect.rows ?? []).flatMap((r) => Object.keys(r.cells)));
  const kept = all.filter((i) => written.has(result.columns[i]!.name));
  return kept.length > 0 ? kept : all;
};

/**
 * An old expected cell that matches the actual value is kept as written (a matcher, a variable, the author's
 * own quoting); the one in the same row first.
 */
const keptCell = (
  text: string,
  rowNodes: readonly unknown[],
  expect: ResultExpectation,
  scope: VarScope,
  rowIndex: number,
  column: string,
  cell: QueryResult['rows'][number][number],
  oid: number,
): string | undefined => {
  const oldRows = expect.rows ?? [];
  const order = [rowIndex, ...oldRows.keys()].filter((i, k, all) => i < oldRows.length && all.indexOf(i) === k);
  for (const i of order) {
    const written = oldRows[i]!.cells[column];
    if (!written) continue;
    let resolved;
    try {
      resolved = resolveRows([{ cells: { [column]: written }, loc: written.loc }], scope)[0]!.cells[column]!;
    } catch {
      continue;
    }
    if (!matchValue(resolved, cell, oid)) continue;
    const node = rowNodes[i];
    const pair = isMap(node) ? node.items.find((p) => keyText(p.key) === column) : undefined;
    const source = pair ? sourceOf(text, pair.value) : undefined;
    if (source !== undefined && !source.includes('\n') && !source.includes('#')) return source;
  }
  return undefined;
};

const renderRows = (text: string, rowNodes: readonly unknown[], recorded: Recorded): string[] => {
  const { expect, result, scope } = recorded.check;
  const context: RenderContext = { variables: recorded.variables, observedAt: recorded.observedAt };
  const columns = columnsToWrite(expect, result);
  return result.rows.map((row, r) => {
    const cells = columns.map((i) => {
      const column = result.columns[i]!;
      const cell = row[i] ?? null;
      const value = keptCell(text, rowNodes, expect, scope, r, column.name, cell, column.typeOid) ?? renderCell(cell, column.typeOid, context);
      return [column.name, `${yamlKey(column.name)}: ${value}`] as const;
    });
    // A block-style row with comments in it stays block style, comments kept (see block-row.ts).
    const comments = rowComments(text, rowNodes[r]);
    if (comments && cells.length > 0) return blockRow(cells, comments);
    return cells.length === 0 ? '{}' : `{ ${cells.map(([, line]) => line).join(', ')} }`;
  });
};

const offsetOf = (text: string, line: number, column: number): number => {
  let offset = 0;
  for (let l = 1; l < line; l++) offset = text.indexOf('\n', offset) + 1;
  return offset + column - 1;
};

export type Rewritten = {
  /** The new text, or undefined when nothing changed (or the result would not parse). */
  readonly text: string | undefined;
  readonly changes: readonly RowsChange[];
};

/** What one recording does to the file's text: an edit, or why there is none. */
const editFor = (text: string, doc: Document.Parsed, file: string, recorded: Recorded): { change: RowsChange; edit?: TextEdit } => {
  const { expect, result, spec, stepIndex } = recorded.check;
  const change = { file, line: rowsLine(text, expect), step: spec.steps[stepIndex]?.name ?? '?', rows: result.rows.length };
  const node = mapAt(doc, offsetOf(text, expect.loc.line, expect.loc.column));
  if (!node) return { change: { ...change, skipped: 'the expectation was not found in the file (was it edited during the run?)' } };
  if (result.rows.length > MAX_RECORDED_ROWS)
    return {
      change: { ...change, skipped: `${result.rows.length} rows are too many to record (at most ${MAX_RECORDED_ROWS}); narrow the query or check \`count\`` },
    };
  const rowsNode = rowsPairOf(node)?.value;
  const edit = rowsEdit(text, node, renderRows(text, isSeq(rowsNode) ? rowsNode.items : [], recorded));
  return typeof edit === 'string' ? { change: { ...change, skipped: edit } } : { change, edit };
};

/**
 * Record mode's heart, pure (as sqllogictest-rs's `update_record_with_output`): a spec file's text and the
 * failing rows checks of its expectations -> the new text and what changed.
 */
export const rewriteSource = (text: string, file: string, recordings: readonly Recorded[]): Rewritten => {
  const { loaded } = parseYamlText(Buffer.from(text, 'utf8'), file);
  if (!loaded)
    return {
      text: undefined,
      changes: recordings.map((r) => ({ file, line: r.check.expect.loc.line, step: '?', rows: 0, skipped: 'the file no longer parses' })),
    };
  const done = recordings.map((r) => editFor(text, loaded.doc, file, r));
  const changes = done.map((d) => d.change);
  const edits = done.flatMap((d) => (d.edit ? [d.edit] : []));
  if (edits.length === 0) return { text: undefined, changes };
  const updated = applyEdits(text, edits);
  const check = parseYamlText(Buffer.from(updated, 'utf8'), file);
  if (!check.loaded || check.diagnostics.length > 0) {
    const why = `the rewritten file would not parse (${check.diagnostics[0]?.message ?? 'unknown'}); nothing written`;
    return { text: undefined, changes: changes.map((c) => (c.skipped ? c : { ...c, skipped: why })) };
  }
  return { text: updated, changes };
};

const rowsLine = (text: string, expect: ResultExpectation): number => {
  const from = offsetOf(text, expect.loc.line, expect.loc.column);
  const at = text.indexOf('rows', from);
  return at === -1 ? expect.loc.line : text.slice(0, at).split('\n').length;
};

/** Writes the recorded rows of every expectation whose last check failed. */
export const applyRecordings = async (recordings: readonly Recorded[], cwd: string): Promise<RowsChange[]> => {
  const byFile = new Map<string, Recorded[]>();
  for (const r of recordings.filter((r) => !r.check.held)) {
    const file = r.check.expect.loc.file;
    byFile.set(file, [...(byFile.get(file) ?? []), r]);
  }
  const changes: RowsChange[] = [];
  for (const [file, list] of [...byFile].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const path = resolve(cwd, file);
    const rewritten = rewriteSource((await readFile(path)).toString('utf8'), file, list);
    if (rewritten.text !== undefined) await writeFile(path, rewritten.text);
    changes.push(...rewritten.changes);
  }
  return changes.sort((a, b) => (a.file === b.file ? a.line - b.line : a.file < b.file ? -1 : 1));
};

/** What `--update` prints after the run. */
export const describeChanges = (changes: readonly RowsChange[]): string => {
  if (changes.length === 0) return 'dbspec --update: every rows expectation held; no spec changed\n';
  const lines = changes.map((c) =>
    c.skipped
      ? `  not updated  ${c.file}:${c.line}  "${c.step}": ${c.skipped}`
      : `  updated      ${c.file}:${c.line}  "${c.step}": ${plural(c.rows, 'row')} recorded`,
  );
  const written = changes.filter((c) => !c.skipped).length;
  const next = written > 0 ? '\nRead the new rows: they are what the database returned, not necessarily what is right. Then run again without --update.' : '';
  return `dbspec --update: ${plural(written, 'expectation')} rewritten\n${lines.join('\n')}${next}\n`;
};
