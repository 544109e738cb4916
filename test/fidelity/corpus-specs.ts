/**
 * A regression script's events as spec files, in chunks small enough for the loader's limits. The chunks
 * of one script run in file order on one database of their own, each carrying on from the state the one
 * before left (every step commits), as the script's statements did when psql ran them. The sabotaged
 * cell of each query is one that PostgreSQL itself says differs from what it printed (`=` on the column's
 * type, or the type's text output for types without `=`).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { splitStatements } from '../../runner/sql/split.ts';
import { loadSpec } from '../../runner/spec/validate.ts';
import type { Event, Query } from './collect.ts';
import { type SpecStep, exactCell, mutations, naturalCell, quoted, rowsYaml, specYaml } from './write-specs.ts';

export const VARIANTS = ['exact', 'natural', 'sabotage'] as const;
export type Variant = (typeof VARIANTS)[number];

/** The database a variant's specs use: one run holds all three variants, each on its own database. */
export const corpusDb = (variant: Variant): string => `regress_${variant}`;

export type Chunk = {
  readonly name: string;
  readonly specs: Record<Variant, string>;
  /** Query step name -> 1 when it has a sabotaged cell. */
  readonly queries: Map<string, number>;
};

const CHUNK_BYTES = 48 * 1024;

const parses = (sql: string): boolean => splitStatements(sql).ok;

/** Whether PostgreSQL reads `changed` as a different value of type `type` than `printed` (undefined: not a value). */
const differs = async (client: pg.Client, type: string, printed: string, changed: string): Promise<boolean | undefined> => {
  try {
    const r = await client.query('select ($1::text)::' + type + ' = ($2::text)::' + type + ' as same', [printed, changed]);
    return r.rows[0]?.same === false || r.rows[0]?.same === 'f';
  } catch (error) {
    if (!/operator does not exist|could not identify an equality operator/.test((error as Error).message)) return undefined;
  }
  try {
    const r = await client.query(`select (($1::text)::${type})::text is distinct from (($2::text)::${type})::text as differ`, [printed, changed]);
    return r.rows[0]?.differ === true || r.rows[0]?.differ === 't';
  } catch {
    return undefined;
  }
};

/** The first cell of the query (row by row) with a minimal change PostgreSQL confirms; undefined when none. */
const sabotage = async (
  client: pg.Client,
  query: Query,
  typeName: (oid: number) => Promise<string>,
): Promise<{ row: number; column: number; text: string } | undefined> => {
  await client.query('reset all');
  for (const set of query.session) await client.query(set).catch(() => {});
  for (const [r, row] of query.rows.slice(0, 3).entries()) {
    for (const [k, cell] of row.entries()) {
      if (cell === null || query.columns.findIndex((c) => c.name === query.columns[k]!.name) !== k) continue;
      const type = await typeName(query.columns[k]!.typeOid);
      const anonymous = type === 'record' || type === 'unknown' || type === 'record[]';
      for (const text of mutations(cell)) {
        const verdict = anonymous ? /\d/.test(cell) && text.length === cell.length : await differs(client, type, cell, text);
        if (verdict) return { row: r, column: k, text };
      }
    }
  }
  return undefined;
};

/** The step a diagnostic's line falls in (-1: before the steps, in the setup). */
const stepAtLine = (yaml: string, line: number): number => {
  const lines = yaml.split('\n');
  const stepsLine = lines.indexOf('steps:');
  let step = -1;
  for (let i = stepsLine + 1; i < Math.min(line, lines.length); i++) if (lines[i]!.startsWith('  - name: ')) step++;
  return line <= stepsLine + 1 ? -1 : step;
};

/**
 * The chunk's three specs, with every step dbspec's validation refuses left out (reported on stderr): one
 * invalid spec would stop the whole run. Undefined when the setup itself is refused.
 */
const validSpecs = async (
  name: string,
  setup: string[],
  steps: Record<Variant, SpecStep[]>,
  queries: Map<string, number>,
): Promise<Record<Variant, string> | undefined> => {
  const dir = mkdtempSync(join(tmpdir(), 'dbspec-fidelity-'));
  try {
    for (let round = 0; round < 10; round++) {
      const specs = Object.fromEntries(VARIANTS.map((v) => [v, specYaml(`${name} (${v})`, corpusDb(v), setup, steps[v])])) as Record<Variant, string>;
      const refused = new Set<string>();
      for (const v of VARIANTS) {
        writeFileSync(join(dir, 'x.spec.yaml'), specs[v]);
        const { diagnostics } = await loadSpec(join(dir, 'x.spec.yaml'), { databases: VARIANTS.map(corpusDb) });
        for (const d of diagnostics) {
          const at = stepAtLine(specs[v], d.location?.line ?? 0);
          if (at < 0) {
            process.stderr.write(`${name}: setup refused: ${d.message}\n`);
            return undefined;
          }
          refused.add(steps[v][at]!.name);
          process.stderr.write(`${name} ${v} ${steps[v][at]!.name}: left out: ${d.code} ${d.message}\n`);
        }
      }
      if (refused.size === 0) return specs;
      for (const v of VARIANTS) steps[v] = steps[v].filter((s) => !refused.has(s.name));
      for (const r of refused) queries.delete(r);
    }
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

export const chunkSpecs = async (file: string, events: readonly Event[], genUrl: string): Promise<Chunk[]> => {
  const client = new pg.Client({ connectionString: genUrl });
  await client.connect();
  const types = new Map<number, string>();
  const typeName = async (oid: number): Promise<string> => {
    if (!types.has(oid)) types.set(oid, String((await client.query('select format_type($1::oid, null) as t', [oid])).rows[0]?.t ?? 'text'));
    return types.get(oid)!;
  };
  const chunks: Chunk[] = [];
  let steps: Record<Variant, SpecStep[]> = { exact: [], natural: [], sabotage: [] };
  let queries = new Map<string, number>();
  let size = 0;
  const close = async (): Promise<void> => {
    if (queries.size === 0) return;
    const n = chunks.length + 1;
    const specs = await validSpecs(`regress ${file} part ${n}`, [], steps, queries);
    if (specs) chunks.push({ name: `${file}-${String(n).padStart(2, '0')}`, specs, queries });
    steps = { exact: [], natural: [], sabotage: [] };
    queries = new Map();
    size = 0;
  };
  try {
    for (const [i, event] of events.entries()) {
      if (event.kind === 'state') {
        const sql = event.sql.join(';\n');
        if (!parses(sql)) continue;
        const step = { name: `state ${i + 1}`, sql };
        for (const v of VARIANTS) steps[v].push(step);
        size += sql.length;
        continue;
      }
      const sql = [...event.session, event.sql].join(';\n');
      if (!parses(sql)) continue;
      let name = `q ${file}.sql:${event.line}`;
      while (queries.has(name) || chunks.some((c) => c.queries.has(name))) name += "'";
      const exact = rowsYaml(event, (t) => exactCell(t));
      const changed = await sabotage(client, event, typeName).catch(() => undefined);
      steps.exact.push({ name, sql, rows: exact });
      steps.natural.push({ name, sql, rows: rowsYaml(event, naturalCell) });
      if (changed)
        steps.sabotage.push({
          name,
          sql,
          rows: rowsYaml(event, (t, _oid, r, k) => (r === changed.row && k === changed.column ? quoted(changed.text) : exactCell(t))),
        });
      queries.set(name, changed ? 1 : 0);
      size += exact.join('\n').length * 2 + sql.length;
      if (size > CHUNK_BYTES) await close();
    }
    await close();
  } finally {
    await client.end();
  }
  return chunks;
};
