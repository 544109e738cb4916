/**
 * `dbspec explain` in words, per step kind: what each step sends and what it compares.
 */
import { describeExpected } from '../execute/match-value.ts';
import { expectedErrorParts } from '../spec/expectation.ts';
import type { ExpectedRow, Expectation, ResultExpectation, SqlText, Step, StepKind } from '../spec/types.ts';
import { plural } from '../wording.ts';

const cellText = (row: ExpectedRow): string =>
  `{ ${Object.entries(row.cells)
    .map(([column, value]) => `${column}: ${'matcher' in value && value.matcher === 'null' ? 'null' : (JSON.stringify(describeExpected(value)) ?? 'null')}`)
    .join(', ')} }`;

const rowsInWords = (label: string, rows: readonly ExpectedRow[], e: ResultExpectation): string[] => {
  const order = e.ordered ? 'in this order' : 'in any order';
  const columns = e.columns === 'exact' ? 'the result must have exactly these columns' : 'only the columns written are compared';
  const head =
    label === 'rows'
      ? rows.length === 0
        ? 'no rows come back'
        : rows.length === 1
          ? `exactly this row comes back; ${columns}:`
          : `exactly these ${rows.length} rows come back, ${order}; ${columns}:`
      : label === 'includes'
        ? `at least these rows are among those that come back${e.ordered ? ', in this order' : ''}:`
        : 'none of these rows comes back:';
  return [`    ${head}`, ...rows.map((r) => `      ${cellText(r)}`)];
};

const expectationInWords = (e: Expectation | undefined): string[] => {
  if (!e) return ['    passes when the SQL runs without an error'];
  if (e.kind === 'error') {
    const parts = expectedErrorParts(e.error, 'a message matching');
    return [`    the last statement must fail${parts.length > 0 ? ` with ${parts.join(', ')}` : ''}`];
  }
  const lines: string[] = [];
  if (e.count !== undefined) lines.push(`    the last statement returns or changes exactly ${plural(e.count, 'row')}`);
  if (e.rows) lines.push(...rowsInWords('rows', e.rows, e));
  if (e.includes) lines.push(...rowsInWords('includes', e.includes, e));
  if (e.excludes) lines.push(...rowsInWords('excludes', e.excludes, e));
  return lines.length > 0 ? lines : ['    passes when the SQL runs without an error'];
};

const columnsUsed = (what: string, map: Readonly<Record<string, { readonly column?: string; readonly stat?: string }>>): string[] =>
  Object.entries(map).map(
    ([name, c]) => `    ${what} \${${name}} from ${c.column !== undefined ? `column \`${c.column}\` of the first row` : `the statistic ${c.stat}`}`,
  );

/** What `explainSpec` hands each kind: the step's heading, its SQL as sent, and its time limit, in words. */
export type Words = {
  readonly head: (what: string) => string;
  readonly sql: (text: SqlText) => string[];
  /** How many statements a piece of SQL holds. */
  readonly statements: (text: SqlText) => number;
  readonly timeout: readonly string[];
};

/** Each step kind in words, for `dbspec explain` (one entry per kind; see spec/step-kinds.ts). */
export const IN_WORDS: { readonly [K in StepKind]: (step: Extract<Step, { kind: K }>, words: Words) => string[] } = {
  query: (step, { head, sql, statements, timeout }) => {
    const many = statements(step.sql) > 1;
    return [
      head(`query on ${step.db}${many ? ', the statements in one transaction; the last one is checked' : ''}`),
      ...sql(step.sql),
      '  compares:',
      ...expectationInWords(step.expect),
      ...(step.eventually ? [`    retried every ${step.eventually.everyMs} ms until it holds, for at most ${step.eventually.withinMs} ms`] : []),
      ...columnsUsed('captures', step.capture),
      ...Object.entries(step.metrics).map(([name, c]) => `    records the metric ${name} from column \`${c.column}\` of the first row`),
      ...timeout,
    ];
  },
  transaction: (step, { head, sql, timeout }) => [
    head(`transaction on ${step.db}, ended with ${step.rollback ? 'ROLLBACK' : 'COMMIT (ROLLBACK if a statement fails)'}`),
    ...step.statements.flatMap((s) => sql(s)),
    '  compares:',
    ...expectationInWords(step.expect),
    ...timeout,
  ],
  concurrent: (step, { head, sql, timeout }) => {
    const failed = step.expect.failed
      ? Object.entries(step.expect.failed)
          .map(([code, k]) => `${k} with SQLSTATE ${code}`)
          .join(', ') || 'none'
      : undefined;
    return [
      head(`${step.sessions} sessions on ${step.db} at once${step.barrier ? ', released together' : ''}`),
      ...sql(step.sql),
      '  compares:',
      ...(step.expect.succeeded !== undefined ? [`    ${step.expect.succeeded} of ${step.sessions} sessions succeed`] : []),
      ...(failed !== undefined ? [`    sessions that fail: ${failed}`] : []),
      ...timeout,
    ];
  },
  compare: (step, { head, sql, timeout }) => [
    head(`the same question to ${step.left.db} and ${step.right.db}`),
    `  left (${step.left.db}):`,
    ...sql(step.left.sql),
    `  right (${step.right.db}):`,
    ...sql(step.right.sql),
    '  compares:',
    `    ${step.relation === 'equal' ? 'the left rows equal the right rows' : step.relation === 'subset' ? 'every left row is among the right rows' : 'every right row is among the left rows'}, ${step.ordered ? 'in order' : 'in any order'}`,
    ...timeout,
  ],
  benchmark: (step, { head, sql, timeout }) => [
    head(
      `benchmark on ${step.db}: ${step.iterations} iterations over ${plural(step.concurrency, 'connection')}${step.warmup ? ` after ${step.warmup} warm-up runs` : ''}`,
    ),
    ...sql(step.sql),
    '  compares:',
    ...(step.bounds.length > 0 ? step.bounds.map((b) => `    ${b.stat} is at most ${b.maxMs} ms`) : ['    nothing: latency is only recorded']),
    ...Object.entries(step.metrics).map(([name, m]) => `    records the metric ${name} = ${m.stat}`),
    ...timeout,
  ],
  interleave: (step, { head, sql, timeout }) => {
    const orders =
      step.permutations === 'all' ? "in every order that keeps each session's statements in sequence" : `in ${plural(step.permutations.length, 'order')}`;
    return [
      head(`interleaving of ${step.sessions.map((s) => `${s.name} (${s.db})`).join(', ')}, ${orders}`),
      ...step.sessions.flatMap((s) => [
        `  session ${s.name} on ${s.db}:`,
        ...(s.setup ? ['    setup:', ...sql(s.setup)] : []),
        ...s.statements.flatMap((st) => [`    ${st.name}:`, ...sql(st.sql)]),
      ]),
      ...(step.permutations === 'all' ? [] : step.permutations.map((p) => `  order: ${p.entries.map((e) => e.statement).join(' ')}`)),
      ...(step.output ? ['  compares the transcript with `output`'] : []),
      ...timeout,
    ];
  },
  upgrade: (step, { head, timeout }) => [
    head(`applies the migrations of ${step.db} ${step.to ? `up to ${step.to}` : 'that are still pending'}, on a fresh database of this spec`),
    ...timeout,
  ],
  schema: (step, { head, timeout }) => [
    head(`schema of ${step.db}`),
    ...step.tables.map((t) => `    table ${t.name}`),
    ...step.functions.map((f) => `    function ${f.name}`),
    ...timeout,
  ],
};
