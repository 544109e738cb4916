/**
 * A project as a team has it, one release at a time: the fixture specs and the first N migrations of each
 * database copied into a temp folder, run by the CLI (cwd = the project, as in CI) against fresh scratch
 * databases on the machine's PostgreSQL, each release's results kept under releases/<label>.
 */
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { RunResults } from '../../runner/results/types.ts';
import { cleanEnv, REPO, runCli, type CliRun } from '../run/cli-process.ts';
import { scratchDatabases, testServers } from '../support/servers.ts';

const FIXTURES = join(REPO, 'test', 'release', 'fixtures');

export type Release = {
  readonly label: string;
  /** The release label recorded (default: label); shards of one release share it. */
  readonly release?: string;
  /** How many of each database's migrations (in order) this release has. */
  readonly migrations: { readonly auth: number; readonly backend: number };
  /** The weather flag the flaky spec reads (data, not schema). */
  readonly weather?: boolean;
  readonly args?: readonly string[];
  readonly env?: Record<string, string>;
};

export type Project = {
  readonly dir: string;
  /** Runs one release in fresh databases; returns the CLI run and its results. */
  run(release: Release): Promise<CliRun & { results: RunResults; out: string }>;
  cli(args: readonly string[], env?: Record<string, string>): Promise<CliRun>;
  edit(spec: string, change: (text: string) => string): Promise<void>;
  remove(): Promise<void>;
};

const copyMigrations = async (dir: string, db: string, count: number): Promise<void> => {
  const from = join(FIXTURES, 'migrations', db);
  const to = join(dir, 'db', db);
  await rm(to, { recursive: true, force: true });
  await mkdir(to, { recursive: true });
  for (const name of (await readdir(from)).sort().slice(0, count)) await cp(join(from, name), join(to, name));
};

const setWeather = async (url: string, ok: boolean): Promise<void> => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('update flags set ok = $1', [ok]);
  } finally {
    await client.end();
  }
};

export const createProject = async (): Promise<Project> => {
  const dir = await mkdtemp(join(tmpdir(), 'dbspec-release-'));
  await cp(join(FIXTURES, 'specs'), join(dir, 'specs'), { recursive: true });
  await cp(join(FIXTURES, 'dbspec.config.yaml'), join(dir, 'dbspec.config.yaml'));
  const [server] = await testServers();
  const cli = (args: readonly string[], env: Record<string, string> = {}) => runCli(args, cleanEnv(env), dir);
  return {
    dir,
    cli,
    run: async (release) => {
      await copyMigrations(dir, 'auth', release.migrations.auth);
      await copyMigrations(dir, 'backend', release.migrations.backend);
      // Migrated before the run, so the flag can be set before any spec reads it.
      const dbs = await scratchDatabases(server!, ['auth', 'backend'], { migrationsRoot: join(dir, 'db') });
      try {
        const out = join('releases', release.label);
        if (release.weather !== undefined) await setWeather(dbs.urls.backend!, release.weather);
        const run = await cli(
          ['run', ...(release.args ?? ['specs']), '--migrate', '--release', release.release ?? release.label, '--out', out, '--reporter', 'dot'],
          {
            ...dbs.env,
            ...release.env,
          },
        );
        const text = await readFile(join(dir, out, 'results.json'), 'utf8').catch(() => undefined);
        if (text === undefined) throw new Error(`release ${release.label} wrote no results:\n${run.stdout}\n${run.stderr}`);
        return { ...run, results: JSON.parse(text) as RunResults, out: join(dir, out) };
      } finally {
        await dbs.drop();
      }
    },
    edit: async (spec, change) => {
      const file = join(dir, 'specs', spec);
      await writeFile(file, change(await readFile(file, 'utf8')));
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
};
