/**
 * `dbspec trend` over 50 releases of the seed suite: the suite (specs/) is run once for real on the
 * embedded PostgreSQL, then 49 more releases are derived from it (jittered benchmark samples and metrics,
 * one step flaky, one regression with a schema change at release 30). Prints how long `dbspec trend DIR`
 * takes end to end (a process reading 50 results.json, building the history, writing trend.html and .md),
 * against the target of 2 s. Standalone: `npx node test/bench/trend.bench.ts` (also run by `npm run bench`).
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serializeResults } from '../../runner/results/read.ts';
import { summarize } from '../../runner/results/summary.ts';
import type { RunResults, SpecResult, StepResult } from '../../runner/results/types.ts';
import { cleanEnv, CLI, REPO } from '../run/cli-process.ts';

const RELEASES = 50;

const jitter = (n: number, r: number, i: number) => Math.round(n * (0.9 + 0.2 * (((r * 7919 + i * 104729) % 1000) / 1000)) * 1000) / 1000;

const derive = (base: RunResults, r: number): RunResults => {
  let stepIndex = 0;
  const specs = base.specs.map((spec): SpecResult => {
    const steps = spec.steps.map((step): StepResult => {
      const i = stepIndex++;
      const flaky = i === 3 && r % 7 === 3;
      const regressed = i === 9 && r >= 30;
      const failing = flaky || regressed;
      return {
        ...step,
        durationMs: jitter(step.durationMs, r, i),
        ...(step.samples ? { samples: step.samples.map((x, k) => jitter(x, r, k)) } : {}),
        ...(step.metrics ? { metrics: Object.fromEntries(Object.entries(step.metrics).map(([k, v]) => [k, k.endsWith('_ms') ? jitter(v, r, i) : v])) } : {}),
        ...(failing ? { status: 'failed' as const, failure: { code: 'ROWS_MISMATCH', message: 'expected 1 row, got 0', location: step.location } } : {}),
      };
    });
    return { ...spec, steps, status: steps.some((s) => s.status === 'failed') ? 'failed' : spec.status };
  });
  const schemaChanged = r >= 30;
  const databases = Object.fromEntries(
    Object.entries(base.databases).map(([name, db]) => [
      name,
      schemaChanged && db.schema
        ? { ...db, schema: { fingerprint: 'f'.repeat(64), objects: db.schema.objects.filter((o) => !(o.kind === 'constraint' && o.name.endsWith('_key'))) } }
        : db,
    ]),
  );
  const started = Date.parse(base.startedAt) + r * 86_400_000;
  return {
    ...base,
    release: `v1.${r}.0`,
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date(started + base.durationMs).toISOString(),
    databases,
    specs,
    summary: summarize(specs),
  };
};

const work = await mkdtemp(join(tmpdir(), 'dbspec-trend-bench-'));
try {
  const seed = join(work, 'seed');
  const ran = spawnSync(process.execPath, [CLI, 'run', 'specs', '--out', seed, '--reporter', 'dot'], { cwd: REPO, env: cleanEnv(), encoding: 'utf8' });
  const text = await readFile(join(seed, 'results.json'), 'utf8').catch(() => undefined);
  if (text === undefined) throw new Error(`the seed suite wrote no results:\n${ran.stdout}\n${ran.stderr}`);
  const base = JSON.parse(text) as RunResults;
  const releases = join(work, 'releases');
  for (let r = 0; r < RELEASES; r++) {
    await mkdir(join(releases, `v1.${r}.0`), { recursive: true });
    await writeFile(join(releases, `v1.${r}.0`, 'results.json'), serializeResults(derive(base, r)));
  }
  const steps = base.summary.steps.total;
  const size = (await stat(join(releases, 'v1.0.0', 'results.json'))).size;
  const t = performance.now();
  const trend = spawnSync(process.execPath, ['--liftoff-only', CLI, 'trend', releases, '--out', join(work, 'trend')], {
    cwd: REPO,
    env: cleanEnv(),
    encoding: 'utf8',
  });
  const seconds = (performance.now() - t) / 1000;
  if (trend.status !== 0) throw new Error(`dbspec trend failed:\n${trend.stdout}\n${trend.stderr}`);
  const html = (await stat(join(work, 'trend', 'trend.html'))).size;
  process.stdout.write(
    `trend over ${RELEASES} releases of the seed suite (${base.specs.length} specs, ${steps} steps, ${(size / 1e3).toFixed(0)} kB results each): ${seconds.toFixed(2)} s end to end (target < 2 s: ${seconds < 2 ? 'met' : 'MISSED'}), trend.html ${(html / 1e3).toFixed(0)} kB\n` +
      `  ${trend.stdout.split('\n')[0]}\n`,
  );
} finally {
  await rm(work, { recursive: true, force: true });
}
