/**
 * A query step: run the SQL, check the expectation, then capture variables and record metrics from the
 * first row. With `eventually`, the SQL and the check repeat until the expectation holds or time is up.
 */
import type { QueryResult } from '../../db/query-result.ts';
import type { QueryStep } from '../../spec/types.ts';
import type { Cell } from '../../values/cell.ts';
import { databaseOf, where, type StepContext, type StepOutcome } from '../context.ts';
import { checkExpectation } from '../expectation.ts';
import { runBlock, type Ran } from '../statements.ts';

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });

const columnIndex = (result: QueryResult, column: string): number => result.columns.findIndex((c) => c.name === column);

const numberOf = (cell: Cell): number | undefined => {
  if (typeof cell === 'number') return cell;
  if (typeof cell === 'boolean') return cell ? 1 : 0;
  if (typeof cell === 'string' && cell.trim() !== '' && Number.isFinite(Number(cell))) return Number(cell);
  return undefined;
};

/** Captures and metrics read the first row; a missing row or column is the spec's mistake, said plainly. */
const readFirstRow = (step: QueryStep, result: QueryResult, context: StepContext): StepOutcome => {
  const wanted = [
    ...Object.entries(step.capture).map(([name, c]) => ({ what: 'capture', name, ...c })),
    ...Object.entries(step.metrics).map(([name, c]) => ({ what: 'metric', name, ...c })),
  ];
  if (wanted.length === 0) return { status: 'passed' };
  const metrics: Record<string, number> = {};
  const first = result.rows[0];
  for (const w of wanted) {
    const index = columnIndex(result, w.column);
    if (index < 0 || !first) {
      const why = !first
        ? 'the statement returned no rows'
        : `there is no column \`${w.column}\`; columns are ${result.columns.map((c) => c.name).join(', ') || '(none)'}`;
      return {
        status: 'failed',
        failure: { code: 'CAPTURE_MISSING', message: `cannot ${w.what} \`${w.name}\` from column \`${w.column}\`: ${why}`, location: where(w.loc) },
      };
    }
    const cell = first[index]!;
    if (w.what === 'capture') {
      context.scope.capture(w.name, cell);
      continue;
    }
    const value = numberOf(cell);
    if (value === undefined) {
      return {
        status: 'failed',
        failure: {
          code: 'CAPTURE_MISSING',
          message: `metric \`${w.name}\` needs a number, column \`${w.column}\` holds ${JSON.stringify(cell)}`,
          location: where(w.loc),
        },
      };
    }
    metrics[w.name] = value;
  }
  return { status: 'passed', metrics };
};

export const runQueryStep = async (step: QueryStep, context: StepContext): Promise<StepOutcome> => {
  const db = databaseOf(context, step.db);
  const statements = context.plan.statementsOf(step.sql);
  const timeoutMs = step.timeoutMs;
  const attempt = async (): Promise<{ ran: Ran; outcome: StepOutcome }> => {
    const ran = await runBlock(db, statements, context.scope, { timeoutMs });
    return { ran, outcome: checkExpectation(step.expect, ran, context.scope, timeoutMs ?? context.timeoutMs, context.onRows) };
  };
  const started = performance.now();
  let { ran, outcome } = await attempt();
  if (step.eventually) {
    const deadline = started + step.eventually.withinMs;
    while (outcome.status === 'failed' && performance.now() + step.eventually.everyMs <= deadline && !context.signal.aborted) {
      await sleep(step.eventually.everyMs, context.signal);
      ({ ran, outcome } = await attempt());
    }
    const waitedMs = Math.round(performance.now() - started);
    if (outcome.status !== 'passed') {
      const failure = outcome.failure && { ...outcome.failure, message: `still not as expected after ${waitedMs} ms of retrying: ${outcome.failure.message}` };
      return { ...outcome, failure, waitedMs };
    }
    outcome = { ...outcome, waitedMs };
  }
  if (outcome.status !== 'passed' || !ran.ok) return outcome;
  const read = readFirstRow(step, ran.result, context);
  return read.status === 'passed' ? { ...outcome, metrics: read.metrics } : read;
};
