/**
 * Kill soak: `dbspec run specs/cross-service` 30 times, each SIGKILLed at a random moment, alternating the
 * embedded default and a pair of scratch databases on PostgreSQL 15 with --jobs 2 (configured disposable, as
 * scratch databases are: the suite's upgrade step needs a database it may create databases beside); then one
 * clean run of each. Afterwards there must be no dbspec process, no embedded folder, no database copy or
 * fresh database, no row that was not there before the first run (the migrations' own rows, e.g.
 * dbspec.migrations, are the baseline), no record in the run registry, and the clean runs pass. The moment is drawn from 5-95% of a clean run's duration measured first on this machine: a fixed
 * 0.3-6 s killed every run of a loaded machine before Node had loaded the specs, so nothing was ever tested.
 * Standalone: `npx node test/bench/kill-soak.bench.ts [runs]` (default 30). Exit 1 when anything is left.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import pg from 'pg';
import { registryDir } from '../../runner/db/run-registry.ts';
import { CLI, cleanEnv, REPO } from '../run/cli-process.ts';
import { scratchDatabases, stopTestServers, testServers, type TestServer } from '../support/servers.ts';

const RUNS = Number(process.argv[2] ?? 30);
const [server] = (await testServers()) as [TestServer];
const dbs = await scratchDatabases(server, ['auth', 'backend']);
const out = await mkdtemp(join(tmpdir(), 'dbspec-kill-soak-'));
const names = Object.values(dbs.urls).map((url) => decodeURIComponent(new URL(url).pathname.slice(1)));
const config = join(out, 'disposable.config.yaml');
await writeFile(
  config,
  [
    'databases:',
    ...['auth', 'backend'].flatMap((db) => [`  ${db}:`, `    migrations: ${relative(out, join(REPO, 'specs', 'db', db))}`, '    disposable: true']),
  ].join('\n'),
);
const registryBefore = new Set(existsSync(registryDir()) ? readdirSync(registryDir()) : []);

const query = async (url: string, sql: string, values: unknown[] = []): Promise<Record<string, unknown>[]> => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, values)).rows;
  } finally {
    await client.end();
  }
};

const run = (embedded: boolean, killAfterMs?: number): Promise<{ code: number | null; stderr: string }> =>
  new Promise((resolve) => {
    const args = [CLI, 'run', 'specs/cross-service', '--out', out, '--reporter', 'dot', ...(embedded ? [] : ['--config', config, '--jobs', '2'])];
    const child = spawn(process.execPath, args, { cwd: REPO, env: cleanEnv(embedded ? {} : dbs.env), stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });

/** Embedded folders of dbspec runs (not this process's own test server). */
const myEmbeddedFolders = (): string[] =>
  readdirSync(tmpdir()).filter((f) => {
    const owner = join(tmpdir(), f, 'owner.json');
    return f.startsWith('dbspec-pg-') && (!existsSync(owner) || (JSON.parse(readFileSync(owner, 'utf8')) as { pid: number }).pid !== process.pid);
  });

/** Rows per table of both databases, by `db/schema.table`. */
const rowCounts = async (): Promise<Map<string, number>> => {
  const counts = new Map<string, number>();
  for (const [db, url] of Object.entries(dbs.urls)) {
    const tables = await query(url, "select format('%I.%I', schemaname, relname) as t from pg_stat_user_tables");
    for (const { t } of tables) counts.set(`${db}/${t as string}`, Number((await query(url, `select count(*)::int as n from ${t as string}`))[0]!.n));
  }
  return counts;
};

/** How long a whole run takes here, per mode: the kills are spread over it. */
const durations = new Map<boolean, number>();
for (const embedded of [true, false]) {
  const started = performance.now();
  await run(embedded);
  durations.set(embedded, performance.now() - started);
}
const baseline = await rowCounts();

let notices = 0;
for (let i = 0; i < RUNS; i++) {
  const embedded = i % 2 === 0;
  const at = Math.round((0.05 + 0.9 * Math.random()) * durations.get(embedded)!);
  const { stderr } = await run(embedded, at);
  notices += stderr.split('\n').filter((line) => /left by|stopped during/.test(line)).length;
  process.stdout.write(`run ${i + 1}/${RUNS} (${embedded ? 'embedded' : 'URL, --jobs 2'}) killed at ${at} ms\n`);
}
const clean = [await run(true), await run(false)];
notices += clean.flatMap((c) => c.stderr.split('\n')).filter((line) => /left by|stopped during/.test(line)).length;

const copies = await query(server.url('postgres'), 'select datname from pg_database where datname like any($1)', [
  names.flatMap((n) => [`${n.slice(0, 30)}%_w%`, `${n.slice(0, 30)}%_up_%`]),
]);
const records = (existsSync(registryDir()) ? readdirSync(registryDir()) : []).filter((name) => !registryBefore.has(name));
const leftover = [...(await rowCounts())]
  .filter(([table, n]) => n !== (baseline.get(table) ?? 0))
  .map(([table, n]) => `${table}: ${baseline.get(table) ?? 0} -> ${n}`);
const sessions = await query(
  server.url('postgres'),
  "select count(*)::int as n from pg_stat_activity where datname = any($1) and application_name like 'dbspec/%'",
  [names],
);
let processes = '';
try {
  const { execFileSync } = await import('node:child_process');
  processes = execFileSync('pgrep', ['-af', `${CLI} run specs/cross-service --out ${out}`]).toString();
} catch {
  processes = '';
}
const folders = myEmbeddedFolders();
const report = {
  runs: RUNS,
  cleanRunsExit: clean.map((c) => c.code),
  noticesOfRemovedLeftovers: notices,
  dbspecProcesses: processes.trim().split('\n').filter(Boolean).length,
  embeddedFolders: folders.length,
  databaseCopies: copies.length,
  registryRecords: records.length,
  runMs: Object.fromEntries([...durations].map(([embedded, ms]) => [embedded ? 'embedded' : 'url', Math.round(ms)])),
  tablesWithLeftoverRows: leftover,
  dbspecSessions: sessions[0]!.n,
};
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
await dbs.drop();
await stopTestServers();
await rm(out, { recursive: true, force: true });
const ok =
  report.cleanRunsExit.every((c) => c === 0) &&
  !report.dbspecProcesses &&
  !report.embeddedFolders &&
  !report.databaseCopies &&
  !report.registryRecords &&
  leftover.length === 0;
process.stdout.write(`kill soak: ${ok ? 'nothing left behind, clean runs pass' : 'LEFT SOMETHING BEHIND'}\n`);
process.exit(ok ? 0 : 1);
