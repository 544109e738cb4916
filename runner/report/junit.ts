/**
 * JUnit XML for CI: one testsuite per spec, one testcase per step. A failed step carries <failure> (an
 * expectation that did not hold), an errored one <error>; the text holds expected and actual rows. A `skip:`
 * or a failing `todo:` is <skipped> with its reason. Attributes follow the Ant/Jenkins schema: testsuite id,
 * package, timestamp (ISO 8601 without zone) and hostname; testcase classname, file and line.
 */
import { placeIn } from '../results/place.ts';
import type { Failure, ResultRows, RunResults, SpecResult, StepResult } from '../results/types.ts';
import { formatCell } from './format.ts';
import { plural } from '../wording.ts';

// XML 1.0 forbids most control characters even as references: drop them rather than write an unreadable file.
// eslint-disable-next-line no-control-regex
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;
const xml = (text: string): string =>
  text.replace(INVALID_XML, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

const seconds = (ms: number): string => (ms / 1000).toFixed(3);

const rowsText = (title: string, rows: ResultRows, marked: ReadonlySet<number>): string => {
  // Rows count from 1, as in the console and the reports.
  const width = String(rows.rows.length).length;
  const lines = rows.rows.map((row, i) => `${marked.has(i) ? '>' : ' '} ${String(i + 1).padStart(width)}  ${row.map(formatCell).join(' | ')}`);
  return [`${title} (${plural(rows.rows.length, 'row')}):`, `  ${'#'.padStart(width)}  ${rows.columns.join(' | ')}`, ...lines].join('\n');
};

const failureText = (step: StepResult, failure: Failure): string => {
  const parts = [`${failure.code}: ${failure.message}`];
  if (failure.location) parts.push(`at ${failure.location}`);
  else parts.push(`at ${step.location}`);
  if (failure.error)
    parts.push(
      `PostgreSQL error${failure.error.code ? ` ${failure.error.code}` : ''}: ${failure.error.message}${failure.error.constraint ? ` (constraint ${failure.error.constraint})` : ''}`,
    );
  const mismatches = failure.mismatches ?? [];
  if (failure.expected) parts.push(rowsText('expected', failure.expected, new Set(mismatches.map((m) => m.expectedRow))));
  if (failure.actual) parts.push(rowsText('actual', failure.actual, new Set(mismatches.map((m) => m.actualRow))));
  if (failure.expected || failure.actual) parts.push('(rows marked > differ)');
  if (step.sql?.length) parts.push(`SQL:\n${step.sql.join('\n;\n')}`);
  return parts.join('\n\n');
};

const skippedText = (step: StepResult): string | undefined => {
  if (step.known && !step.known.fixed) return `${step.known.kind}: ${step.known.reason}${step.failure ? ` (fails: ${step.failure.message})` : ''}`;
  return step.failure?.message;
};

const testcase = (spec: SpecResult, step: StepResult): string => {
  const name = step.phase === 'step' || step.name.startsWith(step.phase) ? step.name : `${step.phase}: ${step.name}`;
  const line = placeIn(step)?.line;
  const open = `    <testcase classname="${xml(spec.name)}" name="${xml(name)}" file="${xml(spec.file)}"${line ? ` line="${line}"` : ''} time="${seconds(step.durationMs)}"`;
  if (step.status === 'passed' && step.known?.fixed)
    return `${open}>\n      <system-out>${xml(`fixed: remove the todo (${step.known.reason})`)}</system-out>\n    </testcase>`;
  if (step.status === 'passed' && !step.failure) return `${open}/>`;
  const skipped = skippedText(step);
  if (step.status === 'skipped') return `${open}>\n      <skipped${skipped ? ` message="${xml(skipped)}"` : ''}/>\n    </testcase>`;
  const failure = step.failure ?? { code: step.status.toUpperCase(), message: `step ${step.status}` };
  const tag = step.status === 'errored' ? 'error' : 'failure';
  return `${open}>\n      <${tag} message="${xml(failure.message)}" type="${xml(failure.code)}">${xml(failureText(step, failure))}</${tag}>\n    </testcase>`;
};

/** Ant's schema wants `2026-12-01T08:31:50`: no fraction, no zone (results are UTC). */
const antTimestamp = (iso: string): string => (Number.isNaN(Date.parse(iso)) ? iso : new Date(iso).toISOString().slice(0, 19));

const testsuite = (spec: SpecResult, id: number, results: RunResults): string => {
  const count = (s: StepResult['status']) => spec.steps.filter((step) => step.status === s).length;
  const suite = `id="${id}" package="dbspec" timestamp="${xml(antTimestamp(results.startedAt))}" hostname="${xml(results.hostname ?? 'localhost')}"`;
  const attrs = `name="${xml(spec.name)}" ${suite} tests="${spec.steps.length}" failures="${count('failed')}" errors="${count('errored')}" skipped="${count('skipped')}" time="${seconds(spec.durationMs)}" file="${xml(spec.file)}"`;
  const props = spec.tags.length
    ? `    <properties>\n${spec.tags.map((t) => `      <property name="tag" value="${xml(t)}"/>`).join('\n')}\n    </properties>\n`
    : '';
  return `  <testsuite ${attrs}>\n${props}${spec.steps.map((step) => testcase(spec, step)).join('\n')}\n  </testsuite>`;
};

export const renderJunit = (results: RunResults): string => {
  const { steps } = results.summary;
  const name = `dbspec${results.release ? ` ${results.release}` : ''}${results.interrupted ? ' (interrupted)' : results.stoppedAfterFailure ? ' (stopped after the first failure)' : ''}`;
  const head = `<testsuites name="${xml(name)}" tests="${steps.total}" failures="${steps.failed}" errors="${steps.errored}" skipped="${steps.skipped}" time="${seconds(results.durationMs)}" timestamp="${xml(results.startedAt)}">`;
  return ['<?xml version="1.0" encoding="UTF-8"?>', head, ...results.specs.map((spec, i) => testsuite(spec, i, results)), '</testsuites>', ''].join('\n');
};
