/**
 * Progress on long runs: the words of the live line and of the log lines (specs done of the total,
 * failures so far, time left), and that a run in a log prints plain lines, never the terminal's escapes.
 */
import assert from 'node:assert/strict';
import { progressText, startProgress } from '../../runner/commands/progress.ts';
import type { SpecResult } from '../../runner/results/types.ts';

const spec = (status: SpecResult['status']): SpecResult => ({
  name: 'x',
  file: 'x.spec.yaml',
  location: 'x.spec.yaml:1:1',
  tags: [],
  databases: [],
  status,
  durationMs: 1,
  steps: [],
  metrics: {},
});

describe('progress', () => {
  it('says how far the run is, how many failed and about how long is left', () => {
    assert.equal(progressText({ done: 0, total: 40, failing: 0, elapsedMs: 0 }), '0/40 specs · 0 failing');
    assert.equal(progressText({ done: 10, total: 40, failing: 2, elapsedMs: 12_000 }), '10/40 specs · 2 failing · about 36 s left');
    assert.equal(progressText({ done: 4, total: 100, failing: 0, elapsedMs: 60_000 }), '4/100 specs · 0 failing · about 24 min left');
    assert.equal(progressText({ done: 40, total: 40, failing: 1, elapsedMs: 50_000 }), '40/40 specs · 1 failing');
  });

  it('prints a plain line at each quarter in a log (no terminal)', () => {
    const lines: string[] = [];
    const original = process.stderr.write;
    process.stderr.write = ((text: string) => lines.push(text) > 0) as typeof process.stderr.write;
    try {
      const progress = startProgress(8, { CI: 'true' });
      for (let i = 0; i < 8; i++) progress.specDone(spec(i === 2 ? 'failed' : 'passed'));
      progress.end();
    } finally {
      process.stderr.write = original;
    }
    assert.deepEqual(
      lines.map((l) => l.replace(/ · about .* left/, '')),
      ['dbspec: 2/8 specs · 0 failing\n', 'dbspec: 4/8 specs · 1 failing\n', 'dbspec: 6/8 specs · 1 failing\n'],
    );
    assert.ok(
      lines.every((l) => !l.includes('\u001b')),
      'no terminal escapes in a log',
    );
  });
});
