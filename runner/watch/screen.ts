/**
 * What `dbspec run --watch` shows after each run: only the latest outcome (the screen is cleared on a
 * terminal, a rule drawn in a log), the specs that ran with their failures, and what it is waiting for.
 * Pure: results in, text out.
 */
import { failureText } from '../execute/failure-text.ts';
import type { SpecResult } from '../results/types.ts';
import { plural } from '../wording.ts';

export const CLEAR_SCREEN = '\u001b[2J\u001b[3J\u001b[H';

export type Outcome = {
  readonly at: Date;
  /** Why this run: "start", "specs/x.spec.yaml saved", "migrations of auth changed". */
  readonly reason: string;
  readonly specs: readonly SpecResult[];
  /** Invalid specs, already formatted with their frames. */
  readonly problems: string;
  readonly durationMs: number;
  readonly watching: string;
};

const MARK: Record<SpecResult['status'], string> = { passed: '✔', failed: '✖', errored: '✖', skipped: '-' };

const indent = (text: string, by: string): string =>
  text
    .split('\n')
    .map((l) => (l === '' ? l : `${by}${l}`))
    .join('\n');

const specLines = (spec: SpecResult): string[] => {
  const steps = spec.steps.filter((s) => s.phase === 'step').length;
  const head = `${MARK[spec.status]} ${spec.name}  (${spec.file}, ${plural(steps, 'step')})`;
  const failures = spec.steps
    .filter((s) => (s.status === 'failed' || s.status === 'errored') && s.failure)
    .map((s) => `    ✖ ${s.name}\n${indent(failureText(s.failure!), '      ')}`);
  return [head, ...failures];
};

const counts = (specs: readonly SpecResult[]): string => {
  const n = (status: SpecResult['status']) => specs.filter((s) => s.status === status).length;
  const parts = [`${n('passed')} passed`, n('failed') ? `${n('failed')} failed` : '', n('errored') ? `${n('errored')} errored` : ''];
  return parts.filter(Boolean).join(', ');
};

export const renderOutcome = (outcome: Outcome): string => {
  const time = outcome.at.toISOString().slice(11, 19);
  const lines = [`dbspec watch · ${time} UTC · ${outcome.reason} · ran ${plural(outcome.specs.length, 'spec')} in ${Math.round(outcome.durationMs)} ms`, ''];
  if (outcome.problems) lines.push(outcome.problems, '');
  for (const spec of outcome.specs) lines.push(...specLines(spec));
  if (outcome.specs.length > 0) lines.push('', counts(outcome.specs));
  lines.push('', `watching ${outcome.watching}: save a spec or a migration to run it again; Ctrl-C stops`);
  return `${lines.join('\n')}\n`;
};
