/**
 * Benchmark: the tests whose guarantees include a time bound (refusing bad input within a second or five,
 * exit 2 within 10 s when a database is unreachable, a prompt exit after a lost connection, an embedded start
 * under 3 s), run with DBSPEC_TIMED=1 so that test/support/timing.ts asserts their bounds. `npm test` runs the
 * same tests without the bounds. Standalone: `npx node test/bench/timed.bench.ts`.
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const FILES = [
  'test/spec/model.test.ts',
  'test/spec/invalid-corpus.test.ts',
  'test/reliability/bad-input.test.ts',
  'test/reliability/unreachable.test.ts',
  'test/reliability/connection-lost.test.ts',
  'test/reliability/hanging-statement.test.ts',
  'test/db/open.test.ts',
  'test/execute/spec-threads.test.ts',
];

const started = performance.now();
const run = spawnSync(join(root, 'node_modules', '.bin', 'mocha'), ['--reporter', 'dot', ...FILES], {
  cwd: root,
  env: { ...process.env, DBSPEC_TIMED: '1' },
  stdio: 'inherit',
});
const seconds = (performance.now() - started) / 1000;
process.stdout.write(
  `timed guarantees (${FILES.length} test files with DBSPEC_TIMED=1): ${run.status === 0 ? 'all bounds met' : 'a bound NOT met'} in ${seconds.toFixed(1)} s (load ${loadavg()[0]!.toFixed(1)})\n`,
);
process.exitCode = run.status === 0 ? 0 : 1;
