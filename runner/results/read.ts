/**
 * results.json in and out. Writing is stable (fixed key order, specs sorted by file then name) so that two
 * runs of the same code differ only in timing fields; reading validates against schema/results.schema.json
 * and turns a bad file into a `config` diagnostic naming the file and what is wrong.
 */
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { DbspecError } from '../diagnostics.ts';
import type { Diagnostic } from '../diagnostics.ts';
import type { Failure, Place, ResultRows, RunResults, SpecResult, StepResult } from './types.ts';
import { packageFile } from '../package-files.ts';

const SCHEMA_URL = packageFile('schema/results.schema.json');

let validator: ValidateFunction | undefined;
/** Compiled once per process. */
const validate = (): ValidateFunction => {
  if (!validator) {
    const ajv = new Ajv2020.default({ allErrors: true, strict: false });
    validator = ajv.compile(JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as object);
  }
  return validator;
};

const problem = (file: string, message: string, hint?: string): Diagnostic => ({
  kind: 'config',
  code: 'DBSPEC_RESULTS_INVALID',
  message: `${file}: ${message}`,
  location: { file, line: 1, column: 1 },
  ...(hint ? { hint } : {}),
});

export const readResults = async (file: string): Promise<RunResults> => {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new DbspecError({
      ...problem(file, `cannot read the results file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`),
      code: 'DBSPEC_RESULTS_UNREADABLE',
    });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new DbspecError(problem(file, `not valid JSON: ${(error as Error).message}`));
  }
  const check = validate();
  if (!check(data)) {
    const errors = (check.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
    const more = (check.errors?.length ?? 0) > 5 ? ` (and ${check.errors!.length - 5} more)` : '';
    throw new DbspecError(
      problem(
        file,
        `not a dbspec results file: ${errors.join('; ')}${more}`,
        'results.json is written by `dbspec run` and described by schema/results.schema.json',
      ),
    );
  }
  return data as RunResults;
};

/** Known keys first in this order, then any others (additive fields) alphabetically. */
const ordered = <T extends object>(value: T, keys: readonly string[], map: (key: string, v: unknown) => unknown = (_k, v) => v): Record<string, unknown> => {
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of keys) if (source[key] !== undefined) out[key] = map(key, source[key]);
  for (const key of Object.keys(source)
    .filter((k) => !keys.includes(k))
    .sort())
    if (source[key] !== undefined) out[key] = source[key];
  return out;
};

const sortedRecord = (record: Readonly<Record<string, unknown>>): Record<string, unknown> =>
  Object.fromEntries(
    Object.keys(record)
      .sort()
      .map((k) => [k, record[k]]),
  );

const rowsOut = (rows: ResultRows) => ordered(rows, ['columns', 'rows']);
const placeOut = (place: Place): Record<string, unknown> =>
  ordered(place, ['file', 'line', 'col', 'via'], (key, v) => (key === 'via' ? placeOut(v as Place) : v));
const failureOut = (failure: Failure) =>
  ordered(failure, ['code', 'message', 'location', 'at', 'error', 'expected', 'actual', 'mismatches'], (key, v) => {
    if (key === 'at') return placeOut(v as Place);
    if (key === 'expected' || key === 'actual') return rowsOut(v as ResultRows);
    if (key === 'error') return ordered(v as object, ['code', 'message', 'constraint']);
    if (key === 'mismatches') return (v as object[]).map((m) => ordered(m, ['expectedRow', 'actualRow', 'column']));
    return v;
  });
const stepOut = (step: StepResult) =>
  ordered(
    step,
    ['name', 'phase', 'kind', 'location', 'at', 'db', 'sql', 'status', 'durationMs', 'waitedMs', 'known', 'failure', 'metrics', 'samples'],
    (key, v) => {
      if (key === 'at') return placeOut(v as Place);
      if (key === 'failure') return failureOut(v as Failure);
      if (key === 'metrics') return sortedRecord(v as Record<string, number>);
      return v;
    },
  );
const specOut = (spec: SpecResult) =>
  ordered(
    spec,
    ['name', 'file', 'location', 'at', 'description', 'tags', 'databases', 'status', 'known', 'durationMs', 'source', 'metrics', 'steps'],
    (key, v) => {
      if (key === 'at') return placeOut(v as Place);
      if (key === 'steps') return (v as StepResult[]).map(stepOut);
      if (key === 'metrics') return sortedRecord(v as Record<string, number>);
      return v;
    },
  );

/** Sorted by file, then by name (code-unit order, so it does not depend on the machine's locale). */
export const compareSpecs = (a: Pick<SpecResult, 'file' | 'name'>, b: Pick<SpecResult, 'file' | 'name'>): number =>
  a.file < b.file ? -1 : a.file > b.file ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;

const resultsOut = (results: RunResults, specs: readonly unknown[]): Record<string, unknown> =>
  ordered(
    results,
    [
      'format',
      'version',
      'release',
      'commit',
      'startedAt',
      'finishedAt',
      'durationMs',
      'interrupted',
      'hostname',
      'selection',
      'databases',
      'summary',
      'specs',
    ],
    (key, v) => {
      if (key === 'databases') {
        const dbs = v as RunResults['databases'];
        return Object.fromEntries(
          Object.keys(dbs)
            .sort()
            .map((k) => [k, ordered(dbs[k]!, ['serverVersion', 'embedded', 'migrations', 'schema'])]),
        );
      }
      if (key === 'summary') {
        const totals = ['passed', 'failed', 'errored', 'skipped', 'total'];
        const s = v as RunResults['summary'];
        return { specs: ordered(s.specs, totals), steps: ordered(s.steps, totals) };
      }
      if (key === 'specs') return specs;
      return v;
    },
  );

/**
 * results.json's text in pieces, one spec at a time: writing a large run never holds a second copy of it
 * (5,000 specs: 8 MB of text and its object tree). The same bytes as one JSON.stringify(out, null, 2).
 */
export function* resultsJsonChunks(results: RunResults): Generator<string> {
  const specs = [...results.specs].sort(compareSpecs);
  const text = JSON.stringify(resultsOut(results, []), null, 2);
  // "specs" is the last key (unless a file read in has keys of a later format): its empty list is where
  // the specs go, each indented as an item of the list.
  if (specs.length === 0 || !text.endsWith('"specs": []\n}')) {
    yield `${JSON.stringify(resultsOut(results, specs.map(specOut)), null, 2)}\n`;
    return;
  }
  yield text.slice(0, -'[]\n}'.length) + '[';
  for (const [i, spec] of specs.entries()) yield `${i === 0 ? '' : ','}\n    ${JSON.stringify(specOut(spec), null, 2).replaceAll('\n', '\n    ')}`;
  yield '\n  ]\n}\n';
}

export const serializeResults = (results: RunResults): string => [...resultsJsonChunks(results)].join('');
