import assert from 'node:assert/strict';
import { DbspecError } from '../../runner/diagnostics.ts';
import { mergeResults } from '../../runner/results/merge.ts';
import { readResults, serializeResults } from '../../runner/results/read.ts';
import { summarize } from '../../runner/results/summary.ts';
import type { RunResults } from '../../runner/results/types.ts';

const fixture = (name: string) => readResults(new URL(`../fixtures/results/${name}.json`, import.meta.url).pathname);

const shard = (run: RunResults, keep: (i: number) => boolean, times: { startedAt: string; finishedAt: string }): RunResults => {
  const specs = run.specs.filter((_, i) => keep(i));
  return { ...run, ...times, specs, summary: summarize(specs) };
};

const codeOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof DbspecError);
    assert.equal(error.diagnostics[0]!.kind, 'config');
    return error.diagnostics[0]!.code;
  }
  return 'no error';
};

describe('merging shard results', () => {
  it('joins shards into the run they came from, in stable order, summary recomputed', async () => {
    const whole = await fixture('failing');
    const a = shard(whole, (i) => i % 2 === 0, { startedAt: '2026-11-26T10:00:01.000Z', finishedAt: '2026-11-26T10:00:04.000Z' });
    const b = shard(whole, (i) => i % 2 === 1, { startedAt: '2026-11-26T10:00:00.000Z', finishedAt: '2026-11-26T10:00:05.100Z' });
    const merged = mergeResults([b, a]);
    assert.deepEqual(
      merged.specs.map((s) => s.name),
      whole.specs.map((s) => s.name),
    );
    assert.deepEqual(merged.summary, whole.summary);
    assert.equal(merged.startedAt, '2026-11-26T10:00:00.000Z');
    assert.equal(merged.finishedAt, '2026-11-26T10:00:05.100Z');
    assert.equal(merged.durationMs, 5100);
    assert.equal(serializeResults(mergeResults([a, b])), serializeResults(merged));
  });

  it('is interrupted when any part was, and lists every database', async () => {
    const passing = await fixture('passing');
    const interrupted = await fixture('interrupted');
    const other = {
      ...passing,
      specs: passing.specs.filter((s) => !interrupted.specs.some((i) => i.name === s.name)),
      release: null,
      databases: { auth: { serverVersion: '15.14', embedded: false } },
    };
    const merged = mergeResults([interrupted, other]);
    assert.equal(merged.interrupted, true);
    assert.equal(merged.release, null);
    assert.equal(merged.databases.auth!.serverVersion, '18.1 / 15.14');
    assert.equal(merged.databases.backend!.serverVersion, '18.1');
  });

  it('refuses a spec that is in two parts, runs of different releases, and nothing at all', async () => {
    const passing = await fixture('passing');
    const failing = await fixture('failing');
    assert.equal(
      codeOf(() => mergeResults([passing, passing])),
      'DBSPEC_MERGE_DUPLICATE',
    );
    const disjoint = { ...failing, specs: failing.specs.filter((s) => !passing.specs.some((p) => p.name === s.name)) };
    assert.equal(
      codeOf(() => mergeResults([passing, disjoint])),
      'DBSPEC_MERGE_MISMATCH',
    );
    assert.equal(
      codeOf(() => mergeResults([])),
      'DBSPEC_MERGE_EMPTY',
    );
  });
});
