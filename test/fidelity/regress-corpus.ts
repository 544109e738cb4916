/**
 * The second, larger check of value comparison: PostgreSQL's own regression suite. Each type-focused
 * script (src/test/regress/sql/<name>.sql of a PostgreSQL source tree) runs on each test server; every
 * query it makes becomes a spec step written three ways (exactly as printed, as a person writes YAML, one
 * cell changed minimally), and `dbspec run` runs them on the same server. Prints the three percentages.
 *
 *   npx node test/fidelity/regress-corpus.ts --regress /path/to/postgresql/src/test/regress [--files date,json]
 *
 * The PostgreSQL sources are not part of this repository (Debian's `apt-get source postgresql-15` has them).
 * Specs and results go to $TMPDIR/dbspec-fidelity (nothing in the checkout).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { ensureParser } from '../../runner/sql/split.ts';
import { stopTestServers, testServers, type TestServer } from '../support/servers.ts';
import { collect } from './collect.ts';
import { chunkSpecs, corpusDb, type Variant, VARIANTS } from './corpus-specs.ts';
import { splitScript } from './psql-script.ts';

export const TYPE_FILES = [
  'date',
  'time',
  'timetz',
  'timestamp',
  'timestamptz',
  'interval',
  'json',
  'jsonb',
  'numeric',
  'float4',
  'float8',
  'int2',
  'int4',
  'int8',
  'money',
  'arrays',
  'rangetypes',
  'multirangetypes',
  'geometry',
  'inet',
  'macaddr',
  'uuid',
  'bit',
  'tstypes',
  'xml',
  'enum',
  'rowtypes',
  'boolean',
  'char',
  'varchar',
  'text',
  'name',
  'strings',
  'horology',
  'json_encoding',
  'point',
  'lseg',
  'line',
  'box',
  'path',
  'polygon',
  'circle',
  'macaddr8',
  'oid',
];

const { values } = parseArgs({
  options: {
    regress: { type: 'string' },
    files: { type: 'string' },
    out: { type: 'string' },
    'max-rows': { type: 'string', default: '200' },
    servers: { type: 'string' },
  },
});
if (!values.regress) {
  process.stderr.write('usage: npx node test/fidelity/regress-corpus.ts --regress <postgresql>/src/test/regress [--files a,b] [--servers pg15]\n');
  process.exit(2);
}
const regress = values.regress;
const files = values.files ? values.files.split(',') : TYPE_FILES;
const outRoot = values.out ?? join(process.env.TMPDIR ?? '/tmp', 'dbspec-fidelity');
const repo = join(import.meta.dirname, '..', '..');
const random = (): string => Math.random().toString(36).slice(2, 8);

type Tally = { total: number; ok: number };
const tallies = new Map<string, Record<Variant, Tally>>();

const ident = (name: string): string => `"${name.replaceAll('"', '""')}"`;

const admin = (server: TestServer) => {
  const sql = async (text: string): Promise<void> => {
    const client = new pg.Client({ connectionString: server.url('postgres') });
    await client.connect();
    try {
      await client.query(text);
    } finally {
      await client.end();
    }
  };
  return {
    create: (name: string, template?: string) => sql(`create database ${ident(name)}${template ? ` template ${ident(template)}` : ''}`),
    drop: (name: string) => sql(`drop database if exists ${ident(name)} with (force)`),
  };
};

const runVariant = (dir: string, config: string, env: Record<string, string>, out: string): unknown => {
  const run = spawnSync(process.execPath, [join(repo, 'runner/cli.ts'), 'run', dir, '--config', config, '-o', out, '-R', 'dot', '--timeout', '60s'], {
    cwd: dir,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  try {
    return JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
  } catch {
    process.stderr.write(`no results in ${out}: ${run.stdout.slice(-2000)}${run.stderr.slice(-2000)}\n`);
    return undefined;
  }
};

type StepResult = { name: string; status: string; failure?: { code: string; message: string } };
type Results = { specs: { file: string; steps: StepResult[] }[] };

const tallyResults = (results: Results | undefined, variant: Variant, expected: Map<string, number>, serverLabel: string, log: string[]): Tally => {
  const tally: Tally = { total: 0, ok: 0 };
  const seen = new Set<string>();
  for (const spec of results?.specs ?? []) {
    for (const step of spec.steps) {
      if (!step.name.startsWith('q ')) continue;
      seen.add(step.name);
      tally.total++;
      const ok = variant === 'sabotage' ? step.status === 'failed' && step.failure?.code === 'ROWS_MISMATCH' : step.status === 'passed';
      if (ok) tally.ok++;
      else log.push(`${serverLabel} ${variant} ${step.name}: ${step.status} ${step.failure?.message ?? ''}`.slice(0, 600));
    }
  }
  for (const [name] of expected) {
    if (!seen.has(name)) {
      tally.total++;
      log.push(`${serverLabel} ${variant} ${name}: did not run`);
    }
  }
  return tally;
};

const main = async (): Promise<void> => {
  await ensureParser();
  const servers = (await testServers()).filter((s) => !values.servers || values.servers.split(',').some((w) => s.label.includes(w)));
  const log: string[] = [];
  const setupItems = splitScript(readFileSync(join(regress, 'sql', 'test_setup.sql'), 'utf8'));
  const env = { PG_ABS_SRCDIR: regress, PG_LIBDIR: '/nonexistent', PG_DLSUFFIX: '.so' };
  for (const server of servers) {
    const db = admin(server);
    const tag = `dbspec_t_${random()}`;
    const template = `${tag}_tmpl`;
    await db.create(template);
    const created: string[] = [template];
    cleanups.push(async () => {
      for (const name of created) await db.drop(name).catch(() => {});
    });
    try {
      await collect(server.url(template), setupItems, { maxRows: 0, env });
      const serverDir = join(outRoot, server.label.replace(/\W+/g, '_'));
      rmSync(serverDir, { recursive: true, force: true });
      for (const file of files) {
        let text: string;
        try {
          text = readFileSync(join(regress, 'sql', `${file}.sql`), 'utf8');
        } catch {
          continue;
        }
        const genDb = `${tag}_gen`;
        await db.create(genDb, template);
        created.push(genDb);
        const prelude = ["SET DateStyle = 'Postgres, MDY'", "SET TimeZone = 'PST8PDT'", 'SET IntervalStyle = postgres', "SET lc_monetary = 'C'"];
        const items = [...prelude.map((p) => ({ kind: 'sql' as const, text: p, line: 0 })), ...splitScript(text)];
        const events = await collect(server.url(genDb), items, { maxRows: Number(values['max-rows']), env });
        const chunks = await chunkSpecs(file, events, server.url(genDb));
        await db.drop(genDb);
        // One run per script: each variant on a fresh copy of the template, its chunks in order.
        const dir = join(serverDir, file);
        const urls: Record<string, string> = {};
        const config = ['databases:'];
        for (const variant of VARIANTS) {
          mkdirSync(join(dir, variant), { recursive: true });
          for (const chunk of chunks) writeFileSync(join(dir, variant, `${chunk.name}.spec.yaml`), chunk.specs[variant]);
          const dbName = `${tag}_${variant}`;
          await db.create(dbName, template);
          created.push(dbName);
          urls[`DBSPEC_${corpusDb(variant).toUpperCase()}_URL`] = server.url(dbName);
          config.push(`  ${corpusDb(variant)}:\n    url_env: DBSPEC_${corpusDb(variant).toUpperCase()}_URL\n    disposable: true`);
        }
        writeFileSync(join(dir, 'dbspec.config.yaml'), `${config.join('\n')}\n`);
        const results = chunks.length === 0 ? { specs: [] } : (runVariant(dir, join(dir, 'dbspec.config.yaml'), urls, join(dir, 'out')) as Results | undefined);
        for (const variant of VARIANTS) {
          const mine = { specs: (results?.specs ?? []).filter((spec) => spec.file.split('/').includes(variant)) };
          const expected = new Map(chunks.flatMap((c) => [...c.queries]).filter(([, n]) => variant !== 'sabotage' || n > 0));
          const tally = tallyResults(mine, variant, expected, server.label, log);
          const sum = tallies.get(server.label) ?? { exact: { total: 0, ok: 0 }, natural: { total: 0, ok: 0 }, sabotage: { total: 0, ok: 0 } };
          sum[variant] = { total: sum[variant].total + tally.total, ok: sum[variant].ok + tally.ok };
          tallies.set(server.label, sum);
          await db.drop(`${tag}_${variant}`);
        }
        process.stderr.write(`${server.label} ${file}: ${JSON.stringify(tallies.get(server.label))}\n`);
      }
    } finally {
      for (const name of created) await db.drop(name).catch(() => {});
    }
  }
  writeFileSync(join(outRoot, 'exceptions.log'), `${log.join('\n')}\n`);
  process.stdout.write('| server | exactly as printed (pass) | as a person writes YAML (pass) | one cell changed (fail) |\n|---|---|---|---|\n');
  for (const [label, t] of tallies) {
    const pct = (x: Tally | undefined): string => (x ? `${x.ok} / ${x.total} (${((100 * x.ok) / Math.max(1, x.total)).toFixed(2)}%)` : '-');
    process.stdout.write(`| ${label} | ${pct(t.exact)} | ${pct(t.natural)} | ${pct(t.sabotage)} |\n`);
  }
  process.stdout.write(`exceptions: ${join(outRoot, 'exceptions.log')}\n`);
};

// Stopped early (Ctrl-C, a timeout): the scratch databases and the embedded server still go.
const cleanups: (() => Promise<void>)[] = [];
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void Promise.allSettled(cleanups.map((c) => c()))
      .then(() => stopTestServers())
      .finally(() => process.exit(130));
  });
}

try {
  await main();
} finally {
  await stopTestServers();
}
