/**
 * Soak: the seed suite (specs/cross-service) run again and again in ONE process, through `dbspec run`'s
 * own code (runCommand), against one pair of scratch databases on the machine's PostgreSQL 15. After every
 * few runs it prints the server's connection count for those databases, the rows left in all their tables,
 * and this process's heap (after a GC) and RSS; at the end baseline against final and "flat: yes/no".
 * Standalone: `npx node test/bench/soak.bench.ts [runs]` (default 50, or as many as fit in 2 minutes).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import pg from 'pg';
import { runCommand } from '../../runner/commands/run.ts';
import { scratchDatabases, testServers, type TestServer } from '../support/servers.ts';

const RUNS = Number(process.argv[2] ?? 50);
const BUDGET_MS = 120_000;
const EVERY = 5;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const [server] = (await testServers()) as [TestServer];
const dbs = await scratchDatabases(server, ['auth', 'backend']);
const out = await mkdtemp(join(tmpdir(), 'dbspec-soak-'));
const admin = new pg.Client({ connectionString: server.url('postgres') });
await admin.connect();
const names = Object.values(dbs.urls).map((url) => decodeURIComponent(new URL(url).pathname.slice(1)));

const connections = async (): Promise<number> =>
  Number((await admin.query('select count(*) from pg_stat_activity where datname = any($1) and pid <> pg_backend_pid()', [names])).rows[0].count);

/** Exact row count of every user table in both databases. */
const rowsLeft = async (): Promise<number> => {
  let total = 0;
  for (const url of Object.values(dbs.urls)) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const tables = (
      await client.query(
        "select format('%I.%I', schemaname, tablename) as t from pg_tables where schemaname not in ('pg_catalog', 'information_schema', 'dbspec')",
      )
    ).rows as { t: string }[];
    for (const { t } of tables) total += Number((await client.query(`select count(*) from ${t}`)).rows[0].count);
    await client.end();
  }
  return total;
};

const memory = () => {
  gc();
  const { heapUsed, rss } = process.memoryUsage();
  return { heapMb: heapUsed / 2 ** 20, rssMb: rss / 2 ** 20 };
};

type Sample = { run: number; connections: number; rows: number; heapMb: number; rssMb: number };
const sample = async (run: number): Promise<Sample> => ({ run, connections: await connections(), rows: await rowsLeft(), ...memory() });
const show = (s: Sample) =>
  `${String(s.run).padStart(4)}  connections ${String(s.connections).padStart(2)}  rows ${String(s.rows).padStart(4)}  heap ${s.heapMb.toFixed(1).padStart(6)} MB  rss ${s.rssMb.toFixed(1).padStart(6)} MB`;

for (const [key, url] of Object.entries(dbs.env)) process.env[key] = url;
const values = { timeout: '30s', jobs: '1', out, reporter: 'dot', 'allow-shared': true };

/** The runs' own console output would drown the figures: swallow it, keep the exit codes. */
const quietly = async <T>(work: () => Promise<T>): Promise<T> => {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    return await work();
  } finally {
    process.stdout.write = write;
  }
};

const samples: Sample[] = [await sample(0)];
console.log(`soak: the seed suite, up to ${RUNS} runs in one process (${BUDGET_MS / 1000} s budget)\n${show(samples[0]!)}  (baseline)`);
const started = performance.now();
let runs = 0;
let failures = 0;
try {
  while (runs < RUNS && performance.now() - started < BUDGET_MS) {
    const code = await quietly(() => runCommand.run({ values, positionals: ['specs/cross-service'] }));
    runs += 1;
    if (code !== 0) failures += 1;
    if (runs % EVERY === 0 || runs === 1) {
      const s = await sample(runs);
      samples.push(s);
      console.log(show(s));
    }
  }
  const final = samples.at(-1)!.run === runs ? samples.at(-1)! : await sample(runs);
  if (final !== samples.at(-1)) console.log(show(final));
  // Memory is judged from the first sampled run (modules loaded, caches warm) to the last.
  const warm = samples.find((s) => s.run >= 1)!;
  const heapGrowth = final.heapMb - warm.heapMb;
  const flat = final.connections === samples[0]!.connections && final.rows === samples[0]!.rows && heapGrowth < Math.max(10, warm.heapMb * 0.2);
  console.log(
    `\n${runs} runs in ${((performance.now() - started) / 1000).toFixed(1)} s, ${failures} not passing\n` +
      `baseline: connections ${samples[0]!.connections}, rows ${samples[0]!.rows}; after run 1: heap ${warm.heapMb.toFixed(1)} MB, rss ${warm.rssMb.toFixed(1)} MB\n` +
      `final:    connections ${final.connections}, rows ${final.rows}; heap ${final.heapMb.toFixed(1)} MB (${heapGrowth >= 0 ? '+' : ''}${heapGrowth.toFixed(1)}), rss ${final.rssMb.toFixed(1)} MB\n` +
      `flat: ${flat && failures === 0 ? 'yes' : 'no'}`,
  );
  process.exitCode = flat && failures === 0 ? 0 : 1;
} finally {
  await admin.end();
  await dbs.drop();
  await rm(out, { recursive: true, force: true });
}
