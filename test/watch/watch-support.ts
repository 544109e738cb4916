/**
 * A `dbspec run --watch` child process on a temp project, for the watch test and the watch bench: the
 * project's one database is a scratch database on the machine's PostgreSQL.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, startCli } from '../run/cli-process.ts';
import { scratchDatabases, testServers, type ScratchDatabases } from '../support/servers.ts';

export const passingSpec = (n: number) => `name: a small probe
steps:
  - name: one is one
    db: auth
    sql: select ${n} as n
    expect:
      rows: [ { n: 1 } ]
`;

export type WatchedProject = {
  readonly dir: string;
  readonly spec: string;
  /** Everything printed so far. */
  readonly output: () => string;
  /** Resolves once the output after `from` satisfies `test`; rejects after `ms`. */
  readonly waitFor: (test: (text: string) => boolean, from: number, ms?: number) => Promise<string>;
  readonly stop: () => Promise<number | null>;
};

export const startWatching = async (): Promise<WatchedProject & { readonly dbs: ScratchDatabases }> => {
  const [local] = await testServers();
  const dbs = await scratchDatabases(local!, ['auth'], { migrations: false });
  const dir = await mkdtemp(join(tmpdir(), 'dbspec-watch-'));
  await mkdir(join(dir, 'specs'));
  await writeFile(join(dir, 'dbspec.config.yaml'), 'databases:\n  auth: { disposable: true }\n');
  const spec = join(dir, 'specs', 'probe.spec.yaml');
  await writeFile(spec, passingSpec(1));
  const cli = startCli(['run', '--watch', 'specs', '--out', 'out'], cleanEnv(dbs.env), dir);
  const waitFor = (test: (text: string) => boolean, from: number, ms = 20_000): Promise<string> =>
    new Promise((resolve, reject) => {
      const deadline = setTimeout(() => {
        clearInterval(poll);
        reject(new Error(`not printed within ${ms} ms; output:\n${cli.output()}`));
      }, ms);
      const poll = setInterval(() => {
        const text = cli.output().slice(from);
        if (!test(text)) return;
        clearInterval(poll);
        clearTimeout(deadline);
        resolve(text);
      }, 5);
    });
  const stop = async () => {
    cli.child.kill('SIGINT');
    const { code } = await cli.done;
    await dbs.drop();
    await rm(dir, { recursive: true, force: true });
    return code;
  };
  return { dir, spec, dbs, output: cli.output, waitFor, stop };
};
