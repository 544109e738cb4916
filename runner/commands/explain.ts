/**
 * `dbspec explain SPEC...`: what a run would do, without a database: every statement as it will be sent
 * (with $n placeholders), the value each placeholder gets, and what will be compared, in words.
 */
import { VarScope } from '../execute/scope.ts';
import { planRun, type Plan } from '../plan/plan.ts';
import type { BoundStatement } from '../spec/bind.ts';
import type { Spec, Step, YamlValue } from '../spec/types.ts';
import { IN_WORDS, type Words } from './explain-steps.ts';
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

const where = (loc: { file: string; line: number }): string => `${loc.file}:${loc.line}`;

const stepLines = (spec: Spec, plan: Plan, step: Step, n: number, example: VarScope): string[] => {
  const words: Words = {
    head: (what) => `step ${n} "${step.name}": ${what}  (${where(step.loc)})`,
    sql: (text) => statementLines(spec, plan.statementsOf(text), example),
    statements: (text) => plan.statementsOf(text).length,
    timeout: step.timeoutMs !== undefined ? [`    time limit ${step.timeoutMs} ms`] : [],
  };
  return (IN_WORDS[step.kind] as (s: Step, w: Words) => string[])(step, words);
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
