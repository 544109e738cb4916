/**
 * Benchmark: `dbspec prove` of the seed suite (specs/, its migrations, the embedded default) with --jobs 2,
 * timed from spawn to exit; mutants per second; the score. Target: under 2 minutes on a 2-core machine.
 * Standalone: `npx node test/bench/prove.bench.ts [--jobs N]`.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProveResults } from '../../runner/results/prove-results.ts';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(REPO, 'runner', 'cli.ts');
const NODE_FLAGS = (/\bnode\b(.*)$/.exec(readFileSync(CLI, 'utf8').split('\n')[0] ?? '')?.[1] ?? '').split(/\s+/).filter(Boolean);
const jobsArg = process.argv.indexOf('--jobs');
const JOBS = jobsArg > 0 ? Number(process.argv[jobsArg + 1]) : 2;
const TARGET_S = 120;

const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
for (const key of Object.keys(env)) if (key.startsWith('DBSPEC_')) delete env[key];

const out = await mkdtemp(join(tmpdir(), 'dbspec-prove-bench-'));
try {
  const load = loadavg()[0]!.toFixed(1);
  const started = performance.now();
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, [...NODE_FLAGS, CLI, 'prove', 'specs', '--jobs', String(JOBS), '--out', out], {
      cwd: REPO,
      env,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.on('close', resolve);
  });
  const seconds = (performance.now() - started) / 1000;
  const results = JSON.parse(await readFile(join(out, 'prove.json'), 'utf8')) as ProveResults;
  const s = results.summary;
  process.stdout.write(
    [
      `prove of the seed suite (${cpus().length} cores, load ${load} at start, --jobs ${JOBS}): exit ${code}`,
      `  ${s.mutants} mutants in ${seconds.toFixed(1)} s: ${(s.mutants / seconds).toFixed(2)} mutants/s (target: under ${TARGET_S} s) ${seconds < TARGET_S ? 'ok' : 'OVER'}`,
      `  score ${s.scorePct}% (${s.killed} killed, ${s.survived} survived, ${s.unapplied} failed to apply)`,
      `  slowest mutants: ${[...results.mutants]
        .sort((a, b) => b.durationMs - a.durationMs)
        .slice(0, 3)
        .map((m) => `${m.object} ${(m.durationMs / 1000).toFixed(1)} s`)
        .join(', ')}`,
      ...results.mutants
        .filter((m) => m.status !== 'killed')
        .map((m) => `  ${m.status}: ${m.description} (${m.file}:${m.line})${m.error ? `: ${m.error}` : ''}`),
    ].join('\n') + '\n',
  );
} finally {
  await rm(out, { recursive: true, force: true });
}
