/**
 * Benchmark: how fast `dbspec run` is next to the floor (the same statements from a bare pg client, one
 * connection per database, comparisons in plain code) and next to pgTAP under pg_prove, all on the
 * machine's PostgreSQL 15 at 127.0.0.1:5432; plus the embedded server's start to first spec and peak memory
 * for 5,000 specs. Standalone: `npx node test/bench/run-speed.bench.ts [specs] [--quick] [--rounds=N]` (default 500
 * specs, 3 rounds; --quick: only the floor and dbspec, for profiling).
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { latencyStats } from '../../runner/execute/latency.ts';
import { runFloor, writePgTap, writeSuite } from './speed-suite.ts';
import { startWireCounter } from './wire-count.ts';

const QUICK = process.argv.includes('--quick');
/** Interleaved rounds of the floor and the warm runs (`--rounds=N`). */
const ROUNDS = Math.max(1, Number(/^--rounds=(\d+)$/.exec(process.argv.find((a) => a.startsWith('--rounds=')) ?? '')?.[1] ?? 3));
const SPECS = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 500);
const MEMORY_SPECS = 5000;
const BIG_READ_ROWS = 100_000;
const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(REPO, 'dist', 'bin.js');
// As the installed bin (bin/dbspec.js) starts node: with the flags and the environment its first line sets.
const BIN_LINE = (readFileSync(join(REPO, 'bin', 'dbspec.js'), 'utf8').split('\n')[0] ?? '').split(/\s+/);
const BIN_FLAGS = BIN_LINE.filter((word) => word.startsWith('--'));
const BIN_ENV = Object.fromEntries(BIN_LINE.filter((word) => /^[A-Z_]+=/.test(word)).map((word) => word.split('=', 2) as [string, string]));
// The bench measures what users install: build dist/ first (as `npm pack` would).
if (spawnSync(process.execPath, [join(REPO, 'scripts', 'build.ts')], { stdio: 'inherit' }).status !== 0) throw new Error('npm run build failed');
const LOCAL = { host: '127.0.0.1', port: 5432, user: 'postgres' };
const PGTAP_INSTALL = 'apt-get install -y postgresql-15-pgtap libtap-parser-sourcehandler-pgtap-perl';

const ident = (name: string): string => `"${name.replaceAll('"', '""')}"`;
const urlOf = (database: string): string => `postgres://${LOCAL.user}@${LOCAL.host}:${LOCAL.port}/${database}`;

const onDatabase = async <T>(database: string, fn: (client: pg.Client) => Promise<T>): Promise<T> => {
  const client = new pg.Client({ ...LOCAL, database });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
};

/** A dbspec run's whole-process seconds and its run phase (results.json's durationMs). */
type TimedRun = { readonly seconds: number; readonly runSeconds: number };

type ChildRun = { readonly code: number | null; readonly seconds: number; readonly stdout: string; readonly stderr: string; readonly firstOutputAt?: number };

/** Runs a command, timing it from spawn to exit; `watch` also times the first stdout line matching it. */
const timed = (command: string, args: readonly string[], env: NodeJS.ProcessEnv, watch?: RegExp): Promise<ChildRun> =>
  new Promise((resolve) => {
    const started = performance.now();
    let firstOutputAt: number | undefined;
    let stdout = '';
    let stderr = '';
    const child = spawn(command, args, { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (watch && firstOutputAt === undefined && watch.test(stdout)) firstOutputAt = (performance.now() - started) / 1000;
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) =>
      resolve({ code, seconds: (performance.now() - started) / 1000, stdout, stderr, ...(firstOutputAt !== undefined && { firstOutputAt }) }),
    );
  });

const envWith = (urls: Record<string, string> | undefined): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env, ...BIN_ENV, NO_COLOR: '1' };
  for (const key of Object.keys(env)) if (key.startsWith('DBSPEC_')) delete env[key];
  // The bench's own caches (validation, compiled code): each suite's first run is cold, the others warm.
  env.DBSPEC_CACHE_DIR = join(work, 'cache');
  return urls ? { ...env, DBSPEC_AUTH_URL: urls.auth, DBSPEC_BACKEND_URL: urls.backend } : env;
};

/** `node dist/bin.js run ...`: the package as users run it (compiled, slonik bundled), not the TypeScript sources. */
const dbspecArgs = (suite: string, out: string, reporter: string, extra: readonly string[] = []): string[] => [
  process.execPath,
  ...BIN_FLAGS,
  CLI,
  'run',
  join(suite, 'specs'),
  '--config',
  join(suite, 'dbspec.config.yaml'),
  '--out',
  out,
  '--reporter',
  reporter,
  ...extra,
];

const dbspecRun = async (
  suite: string,
  out: string,
  urls: Record<string, string> | undefined,
  extra: readonly string[] = [],
  watch?: RegExp,
  env: NodeJS.ProcessEnv = {},
): Promise<ChildRun & TimedRun> => {
  const [node, ...args] = dbspecArgs(suite, out, watch ? 'spec' : 'dot', extra);
  const run = await timed(node!, args, { ...envWith(urls), ...env }, watch);
  if (run.code !== 0) throw new Error(`dbspec run ${extra.join(' ')} exited ${run.code}:\n${run.stdout.slice(-2000)}\n${run.stderr}`);
  const results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as { durationMs: number };
  return { ...run, runSeconds: results.durationMs / 1000 };
};

/** pgTAP and pg_prove from Debian's packages, installed on first use when the bench runs as root (as CI does). */
const installPgTap = (): void => {
  if (process.getuid?.() !== 0) return;
  process.stdout.write(`installing pgTAP for the side-by-side figures (${PGTAP_INSTALL})\n`);
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore' });
  spawnSync('apt-get', ['install', '-y', '-qq', 'postgresql-15-pgtap', 'libtap-parser-sourcehandler-pgtap-perl'], {
    stdio: 'ignore',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
};

/** The whole process's maximum resident set size, by /usr/bin/time. */
const peakMemory = async (suite: string, out: string, urls: Record<string, string>): Promise<{ peakMb: number; seconds: number }> => {
  const rssFile = join(out + '.rss');
  const args = ['-f', '%M', '-o', rssFile, ...dbspecArgs(suite, out, 'dot')];
  const run = await timed('/usr/bin/time', args, envWith(urls));
  if (run.code !== 0) throw new Error(`dbspec run of ${suite} exited ${run.code}:\n${run.stdout.slice(-2000)}\n${run.stderr}`);
  return { peakMb: Number((await readFile(rssFile, 'utf8')).trim().split('\n').at(-1)) / 1024, seconds: run.seconds };
};

const pgTapAvailable = async (database: string): Promise<boolean> => {
  if (spawnSync('pg_prove', ['--version'], { stdio: 'ignore' }).status !== 0) installPgTap();
  if (spawnSync('pg_prove', ['--version'], { stdio: 'ignore' }).status !== 0) return false;
  return onDatabase(database, async (c) => (await c.query("select 1 from pg_available_extensions where name = 'pgtap'")).rowCount === 1);
};

const pgProve = async (databases: Record<string, string>, files: Record<string, string[]>, jobs: number): Promise<number> => {
  let seconds = 0;
  for (const db of ['auth', 'backend']) {
    const args = ['-h', LOCAL.host, '-p', String(LOCAL.port), '-U', LOCAL.user, '-d', databases[db]!, ...(jobs > 1 ? ['-j', String(jobs)] : []), ...files[db]!];
    const run = await timed('pg_prove', args, process.env);
    if (run.code !== 0) throw new Error(`pg_prove exited ${run.code}:\n${run.stdout.slice(-2000)}\n${run.stderr.slice(-2000)}`);
    seconds += run.seconds;
  }
  return seconds;
};

const row = (cells: readonly string[], widths: readonly number[]): string =>
  cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');

const tag = randomBytes(3).toString('hex');
const databases = { auth: `bench_${tag}_auth`, backend: `bench_${tag}_backend` };
const urls = { auth: urlOf(databases.auth), backend: urlOf(databases.backend) };
const work = await mkdtemp(join(tmpdir(), 'dbspec-run-bench-'));
const lines: string[][] = [];
const verdicts: string[] = [];
const phases: [string, number][] = [];
const roundTrips: string[] = [];
const roundsNote: string[] = [];
const verdict = (what: string, met: boolean, detail: string): void => {
  verdicts.push(`${met ? 'met    ' : 'NOT met'}  ${what}: ${detail}`);
};

try {
  await onDatabase('postgres', async (c) => {
    for (const name of Object.values(databases)) await c.query(`create database ${ident(name)}`);
  });
  const suite = join(work, 'suite');
  await writeSuite(suite, SPECS);
  // dbspec applies the schema (its migrations) as a team's CI would; later runs find nothing pending.
  const warm = join(work, 'warm');
  await writeSuite(warm, 1);
  await dbspecRun(warm, join(work, 'out-warm'), urls, ['--migrate']);

  // The floor, after a few warm-up specs so both sides start with a warm server. dbspec's sessions commit
  // without waiting for the disk (synchronous_commit off); the floor runs with the server's settings, and
  // once more as dbspec's sessions do, to tell that part from the rest.
  const floorRun = async (options: string | undefined): Promise<number> => {
    const auth = new pg.Client({ ...LOCAL, database: databases.auth, ...(options && { options }) });
    const backend = new pg.Client({ ...LOCAL, database: databases.backend, ...(options && { options }) });
    await Promise.all([auth.connect(), backend.connect()]);
    try {
      await runFloor(auth, backend, 20);
      const started = performance.now();
      await runFloor(auth, backend, SPECS);
      return (performance.now() - started) / 1000;
    } finally {
      await Promise.all([auth.end(), backend.end()]);
    }
  };
  // A first run validates every spec (and fills the validation cache); a team's later runs find them cached.
  const cold = await dbspecRun(suite, join(work, 'out-cold'), urls);
  // The floor and the warm runs in interleaved rounds, each figure the median of its rounds: one pass
  // moved the floor alone between 1.3 and 1.6 s on this machine, and a single ratio with it.
  const rounds: { floor: number; noWait: number; sequential: TimedRun; parallel: TimedRun; threaded: TimedRun }[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const floor = await floorRun(undefined);
    const noWait = await floorRun('-c synchronous_commit=off');
    const sequential = await dbspecRun(suite, join(work, `out-seq-${round}`), urls);
    const parallel = await dbspecRun(suite, join(work, `out-j2-${round}`), urls, ['--jobs', '2']);
    // Workers 2..N in worker threads (opt-in): what they give on this machine's cores.
    const threaded = await dbspecRun(suite, join(work, `out-j2t-${round}`), urls, ['--jobs', '2'], undefined, { DBSPEC_THREADS: 'on' });
    rounds.push({ floor, noWait, sequential, parallel, threaded });
  }
  // Seconds here, through the statistics benchmark steps use (nearest-rank: the median is a round's figure).
  const median = (values: readonly number[]): number => latencyStats(values).p50_ms;
  const medianRun = (pick: (r: (typeof rounds)[number]) => TimedRun): TimedRun => ({
    seconds: median(rounds.map((r) => pick(r).seconds)),
    runSeconds: median(rounds.map((r) => pick(r).runSeconds)),
  });
  const spread = (values: readonly number[]): string => {
    const { min_ms: min, max_ms: max } = latencyStats(values);
    return `${min.toFixed(2)}-${max.toFixed(2)}`;
  };
  const floorSeconds = median(rounds.map((r) => r.floor));
  const floorNoWait = median(rounds.map((r) => r.noWait));
  const sequential = medianRun((r) => r.sequential);
  const parallel = medianRun((r) => r.parallel);
  const threaded = medianRun((r) => r.threaded);
  const ratio = (seconds: number): string => `${(seconds / floorSeconds).toFixed(2)}x`;
  const timedLine = (label: string, run: TimedRun): string[] => [
    label,
    run.seconds.toFixed(2),
    run.runSeconds.toFixed(2),
    ratio(run.seconds),
    ratio(run.runSeconds),
  ];
  lines.push([`floor: bare pg, ${SPECS} specs`, floorSeconds.toFixed(2), '', '1.00x']);
  lines.push(['floor, synchronous_commit off', floorNoWait.toFixed(2), '', ratio(floorNoWait)]);
  lines.push(timedLine('dbspec first run (nothing cached)', cold));
  lines.push(timedLine('dbspec run (whole process)', sequential));
  lines.push(timedLine('dbspec run --jobs 2', parallel));
  lines.push(timedLine('dbspec run --jobs 2, DBSPEC_THREADS=on', threaded));
  roundsNote.push(
    `medians of ${ROUNDS} interleaved rounds; ranges: floor ${spread(rounds.map((r) => r.floor))} s, dbspec run ${spread(rounds.map((r) => r.sequential.seconds))} s, --jobs 2 ${spread(rounds.map((r) => r.parallel.seconds))} s`,
  );
  const vsNoWait = (seconds: number): string => `${(seconds / floorNoWait).toFixed(2)}x the floor with synchronous_commit off`;
  verdict(
    'dbspec sequential <= 1.5x the floor',
    sequential.seconds <= 1.5 * floorSeconds,
    `${ratio(sequential.seconds)} whole process, ${ratio(sequential.runSeconds)} run phase; ${vsNoWait(sequential.seconds)}`,
  );
  verdict(
    'dbspec --jobs 2 <= 1.0x the floor',
    parallel.seconds <= floorSeconds,
    `${ratio(parallel.seconds)} whole process, ${ratio(parallel.runSeconds)} run phase; ${vsNoWait(parallel.seconds)}`,
  );

  // Where the time goes: one more sequential run through a counting proxy (not timed against the floor:
  // the proxy adds latency). Round trips per spec by kind, and the phases of the whole process.
  const counter = await startWireCounter(LOCAL);
  try {
    const viaProxy = { auth: urls.auth.replace(':5432/', `:${counter.port}/`), backend: urls.backend.replace(':5432/', `:${counter.port}/`) };
    const spawnedAt = performance.now();
    const counted = await dbspecRun(suite, join(work, 'out-count'), viaProxy);
    const firstAt = counter.counts.firstStatementAt === undefined ? Number.NaN : (counter.counts.firstStatementAt - spawnedAt) / 1000;
    phases.push(['start-up, load, validate, plan (to first statement)', firstAt]);
    phases.push(['open databases + run specs (results.json durationMs)', counted.runSeconds]);
    phases.push(['results, reports, exit', counted.seconds - firstAt - counted.runSeconds]);
    const perSpec = [...counter.counts.byKind].sort((a, b) => b[1] - a[1]).map(([kind, n]) => `${kind} ${(n / SPECS).toFixed(2)}`);
    roundTrips.push(`round trips per spec (floor: 12 statements): ${perSpec.join(', ')}`);
    verdict('start-up to first statement <= 0.5 s', firstAt <= 0.5, `${firstAt.toFixed(2)} s (node start, load and validate ${SPECS} specs, plan)`);
  } finally {
    await counter.close();
  }

  if (QUICK) {
    // Profiling: the floor and dbspec only.
  } else if (await pgTapAvailable(databases.auth)) {
    for (const name of Object.values(databases)) await onDatabase(name, (c) => c.query('create extension if not exists pgtap'));
    const files = await writePgTap(join(work, 'pgtap'), SPECS);
    const proveSeconds = await pgProve(databases, files, 1);
    const proveParallel = await pgProve(databases, files, 2);
    lines.push([`pgTAP: pg_prove, ${SPECS * 2} files`, proveSeconds.toFixed(2), '', ratio(proveSeconds)]);
    lines.push(['pgTAP: pg_prove -j 2', proveParallel.toFixed(2), '', ratio(proveParallel)]);
    const speedup = proveSeconds / sequential.seconds;
    verdict(
      'dbspec >= 5x faster than pg_prove',
      speedup >= 5,
      `${speedup.toFixed(1)}x sequential, ${(proveParallel / parallel.seconds).toFixed(1)}x with 2 jobs each`,
    );
  } else {
    lines.push(['pgTAP', 'not installed', '', `(${PGTAP_INSTALL})`]);
    verdict('dbspec >= 5x faster than pg_prove', false, `not measured: pgTAP is not installed (${PGTAP_INSTALL})`);
  }

  // Embedded: from starting the process to the first spec starting (mocha prints its title then).
  if (!QUICK) {
    const one = join(work, 'one');
    await writeSuite(one, 1);
    const embedded = await dbspecRun(one, join(work, 'out-embedded'), undefined, [], /speed spec 00001/);
    const firstSpec = embedded.firstOutputAt ?? embedded.seconds;
    lines.push(['embedded: process start to first spec', firstSpec.toFixed(2), '', '']);
    verdict(
      'embedded PostgreSQL start to first spec < 3 s',
      firstSpec < 3,
      `${firstSpec.toFixed(2)} s (whole run of one spec ${embedded.seconds.toFixed(2)} s)`,
    );

    // Peak memory: the whole process's maximum resident set, for 5,000 tiny specs and for one spec whose
    // query returns 100,000 rows.
    for (const [kind, count, label, limitMb] of [
      ['tiny', MEMORY_SPECS, `${MEMORY_SPECS} tiny specs`, 250],
      ['big-read', BIG_READ_ROWS, `one spec returning ${BIG_READ_ROWS} rows`, 250],
    ] as const) {
      const suite = join(work, kind);
      await writeSuite(suite, count, kind);
      const first = await peakMemory(suite, join(work, `out-${kind}-cold`), urls);
      lines.push([`peak memory, ${label}, first run (MB)`, first.peakMb.toFixed(0), '', `${first.seconds.toFixed(1)} s`]);
      const { peakMb, seconds } = await peakMemory(suite, join(work, `out-${kind}`), urls);
      lines.push([`peak memory, ${label} (MB)`, peakMb.toFixed(0), '', `${seconds.toFixed(1)} s`]);
      // A CI job without a kept cache makes every run a first run: both count.
      const worst = Math.max(first.peakMb, peakMb);
      verdict(`peak memory <= ${limitMb} MB for ${label}`, worst <= limitMb, `${first.peakMb.toFixed(0)} MB first run, ${peakMb.toFixed(0)} MB cached`);
    }
  }

  const header = ['', 'seconds', 'run phase', 'vs floor', 'run phase vs floor'];
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  process.stdout.write(
    `run speed: ${SPECS} specs (12 statements, 5 expectations each), PostgreSQL 15 on 127.0.0.1, ${cpus().length} cpus, load ${loadavg()[0]!.toFixed(1)}\n` +
      `  "run phase" is results.json's durationMs (connect to last spec); "seconds" is the whole process (start, validate, run, reports)\n\n` +
      [header, ...lines].map((l) => '  ' + row(l, widths)).join('\n') +
      '\n' +
      roundsNote.map((n) => `  ${n}\n`).join('') +
      '\n' +
      (phases.length > 0 ? `  phases of one sequential run:\n${phases.map(([p, s]) => `    ${p.padEnd(56)} ${s.toFixed(2)} s`).join('\n')}\n` : '') +
      roundTrips.map((r) => `  ${r}\n`).join('') +
      '\n' +
      verdicts.map((v) => '  ' + v).join('\n') +
      '\n',
  );
} finally {
  await onDatabase('postgres', async (c) => {
    for (const name of Object.values(databases)) await c.query(`drop database if exists ${ident(name)} with (force)`);
  }).catch(() => undefined);
  await rm(work, { recursive: true, force: true });
}
