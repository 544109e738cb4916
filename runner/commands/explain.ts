/**
 * `dbspec explain SPEC...`: what a run would do, without a database: every statement as it will be sent
 * (with $n placeholders), the value each placeholder gets, and what will be compared, in words.
 */
import { describeExpected } from '../execute/match-value.ts';
import { VarScope } from '../execute/scope.ts';
import { planRun, type Plan } from '../plan/plan.ts';
import type { BoundStatement } from '../spec/bind.ts';
import { expectedErrorParts } from '../spec/expectation.ts';
import type { ExpectedRow, Expectation, ResultExpectation, Spec, SqlText, Step, YamlValue } from '../spec/types.ts';
import type { Command } from './command.ts';
import { CONFIG_OPTION } from './shared-options.ts';
import { fail, loadProject, usage } from './command-output.ts';

const BUILTIN_MEANING: Readonly<Record<string, string>> = {
  uuid: 'a fresh random UUID, new at each place it is written',
  random_int: 'a fresh random integer from 1 to 2,000,000,000, new at each place it is written',
  run_id: 'a short id, the same for the whole run',
  spec_id: 'a short id, fresh for each run of this spec',
  now: 'the time the spec started, ISO 8601 in UTC',
  today: 'the date the spec started, YYYY-MM-DD',
  session: 'the session number, 1 to N',
  iteration: 'the iteration number, 1 to N',
};

const yamlText = (value: YamlValue): string =>
  typeof value === 'string' ? value : JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));

/** What a variable stands for, with an example value where one can be made without running anything. */
const describeVariable = (spec: Spec, name: string, example: VarScope): string => {
  const builtin = BUILTIN_MEANING[name];
  if (builtin) return builtin;
  const declared = spec.vars.find((v) => v.name === name);
  if (declared) {
    let sample = '';
    try {
      sample = `, e.g. ${yamlText(example.valueOf(name))}`;
    } catch {
      sample = '';
    }
    return `= ${yamlText(declared.value)}  (one value for the whole spec run${sample})`;
  }
  const capturing = spec.steps.find((s) => s.kind === 'query' && name in s.capture);
  if (capturing && capturing.kind === 'query')
    return `captured from column \`${capturing.capture[name]!.column}\` of the first row of step "${capturing.name}"`;
  return 'not defined';
};

const indent = (text: string, by: string): string =>
  text
    .split('\n')
    .map((l) => (l.trim() === '' ? '' : by + l))
    .join('\n');

const statementLines = (spec: Spec, statements: readonly BoundStatement[], example: VarScope): string[] =>
  statements.flatMap((st) => [
    indent(st.sql.trim(), '    '),
    ...st.params.map((name, i) => `      $${i + 1} = \${${name}}${spec.vars.some((v) => v.name === name) ? '' : `: ${describeVariable(spec, name, example)}`}`),
  ]);

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
  if (e.count !== undefined) lines.push(`    the last statement returns or changes exactly ${e.count} row${e.count === 1 ? '' : 's'}`);
  if (e.rows) lines.push(...rowsInWords('rows', e.rows, e));
  if (e.includes) lines.push(...rowsInWords('includes', e.includes, e));
  if (e.excludes) lines.push(...rowsInWords('excludes', e.excludes, e));
  return lines.length > 0 ? lines : ['    passes when the SQL runs without an error'];
};

const columnsUsed = (what: string, map: Readonly<Record<string, { readonly column?: string; readonly stat?: string }>>): string[] =>
  Object.entries(map).map(
    ([name, c]) => `    ${what} \${${name}} from ${c.column !== undefined ? `column \`${c.column}\` of the first row` : `the statistic ${c.stat}`}`,
  );

const where = (loc: { file: string; line: number }): string => `${loc.file}:${loc.line}`;

const stepLines = (spec: Spec, plan: Plan, step: Step, n: number, example: VarScope): string[] => {
  const sql = (text: SqlText, scope = example) => statementLines(spec, plan.statementsOf(text), scope);
  const head = (what: string) => `step ${n} "${step.name}": ${what}  (${where(step.loc)})`;
  const timeout = step.timeoutMs !== undefined ? [`    time limit ${step.timeoutMs} ms`] : [];
  switch (step.kind) {
    case 'query': {
      const many = plan.statementsOf(step.sql).length > 1;
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
    }
    case 'transaction':
      return [
        head(`transaction on ${step.db}, ended with ${step.rollback ? 'ROLLBACK' : 'COMMIT (ROLLBACK if a statement fails)'}`),
        ...step.statements.flatMap((s) => sql(s)),
        '  compares:',
        ...expectationInWords(step.expect),
        ...timeout,
      ];
    case 'concurrent': {
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
    }
    case 'compare':
      return [
        head(`the same question to ${step.left.db} and ${step.right.db}`),
        `  left (${step.left.db}):`,
        ...sql(step.left.sql),
        `  right (${step.right.db}):`,
        ...sql(step.right.sql),
        '  compares:',
        `    ${step.relation === 'equal' ? 'the left rows equal the right rows' : step.relation === 'subset' ? 'every left row is among the right rows' : 'every right row is among the left rows'}, ${step.ordered ? 'in order' : 'in any order'}`,
        ...timeout,
      ];
    case 'benchmark':
      return [
        head(
          `benchmark on ${step.db}: ${step.iterations} iterations over ${step.concurrency} connection${step.concurrency === 1 ? '' : 's'}${step.warmup ? ` after ${step.warmup} warm-up runs` : ''}`,
        ),
        ...sql(step.sql),
        '  compares:',
        ...(step.bounds.length > 0 ? step.bounds.map((b) => `    ${b.stat} is at most ${b.maxMs} ms`) : ['    nothing: latency is only recorded']),
        ...Object.entries(step.metrics).map(([name, m]) => `    records the metric ${name} = ${m.stat}`),
        ...timeout,
      ];
    case 'interleave': {
      const orders =
        step.permutations === 'all'
          ? "in every order that keeps each session's statements in sequence"
          : `in ${step.permutations.length} order${step.permutations.length === 1 ? '' : 's'}`;
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
    }
    case 'upgrade':
      return [
        head(`applies the migrations of ${step.db} ${step.to ? `up to ${step.to}` : 'that are still pending'}, on a fresh database of this spec`),
        ...timeout,
      ];
    case 'schema':
      return [
        head(`schema of ${step.db}`),
        ...step.tables.map((t) => `    table ${t.name}`),
        ...step.functions.map((f) => `    function ${f.name}`),
        ...timeout,
      ];
  }
};

/** The whole explanation of one spec, as text. Pure: no database, no randomness beyond example values. */
export const explainSpec = (spec: Spec, plan: Plan): string => {
  const example = VarScope.forSpec(spec, { runId: 'r-example' });
  const out: string[] = [`spec "${spec.name}"  (${spec.file})`, `databases: ${spec.databases.join(', ')}`];
  if (spec.vars.length > 0) out.push('variables:', ...spec.vars.map((v) => `  \${${v.name}} ${describeVariable(spec, v.name, example)}`));
  spec.setup.forEach((b, i) => {
    out.push(
      '',
      `setup${spec.setup.length > 1 ? ` ${i + 1}` : ''} on ${b.db}, in one transaction; if it fails the steps are skipped  (${where(b.loc)})`,
      ...statementLines(spec, plan.statementsOf(b.sql), example),
    );
  });
  spec.steps.forEach((s, i) => {
    out.push('', ...stepLines(spec, plan, s, i + 1, example));
  });
  spec.cleanup.forEach((b, i) => {
    out.push(
      '',
      `cleanup${spec.cleanup.length > 1 ? ` ${i + 1}` : ''} on ${b.db}, always, also after a failure  (${where(b.loc)})`,
      ...statementLines(spec, plan.statementsOf(b.sql), example),
    );
  });
  out.push('', `then: every table of ${spec.databases.join(' and ')} must hold as many rows as before the spec`);
  return out.join('\n') + '\n';
};

export const explainCommand: Command = {
  name: 'explain',
  summary: 'Show what a spec will send and compare, without running it.',
  usage: 'dbspec explain SPEC... [--config FILE]',
  options: {
    config: CONFIG_OPTION,
  },
  run: async ({ values, positionals }) => {
    if (positionals.length === 0) return fail([usage('name the spec to explain, e.g. dbspec explain specs/my.spec.yaml')]);
    const loaded = await loadProject(values, positionals);
    if ('configProblems' in loaded) return fail(loaded.configProblems);
    if (loaded.diagnostics.length > 0) return fail(loaded.diagnostics);
    const plan = await planRun(loaded.specs);
    process.stdout.write(loaded.specs.map((s) => explainSpec(s, plan)).join('\n' + '-'.repeat(72) + '\n\n'));
    return 0;
  },
};
