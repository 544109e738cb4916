/**
 * dbspec as another team gets it: `npm pack` of this checkout, installed into a fresh project with the
 * machine's own Node (20 here) first on PATH, not the Node 24 this repo pins for its own scripts.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { REPO } from '../run/cli-process.ts';

const run = promisify(execFile);

export type PackedFile = { readonly path: string; readonly size: number };
export type Packed = { readonly tarball: string; readonly size: number; readonly unpackedSize: number; readonly files: readonly PackedFile[] };

/** PATH without this repo's node_modules/.bin (where `node` is the pinned Node 24): the user's own Node. */
export const userPath = (): string =>
  (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => !dir.includes('node_modules'))
    .join(delimiter);

/** The environment a user's shell has: their Node first, no DBSPEC_* URLs, no npm_* from this repo's scripts. */
export const userEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: userPath(), NO_COLOR: '1' };
  for (const key of Object.keys(env)) if (key.startsWith('DBSPEC_') || key.startsWith('npm_')) delete env[key];
  return { ...env, ...extra };
};

/** `npm pack` into `dir` (runs prepack: the build); the tarball and npm's own account of its contents. */
export const packInto = async (dir: string): Promise<Packed> => {
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', dir], { cwd: REPO, maxBuffer: 16 * 1024 * 1024 });
  const [info] = JSON.parse(stdout.slice(stdout.indexOf('['))) as { filename: string; size: number; unpackedSize: number; files: PackedFile[] }[];
  return { tarball: join(dir, info!.filename), size: info!.size, unpackedSize: info!.unpackedSize, files: info!.files };
};

export type Installed = { readonly project: string; readonly root: string; readonly stdout: string; readonly stderr: string; remove(): Promise<void> };

/** A fresh project (its own package.json, nothing else) with the tarball installed as a devDependency. */
export const installInFreshProject = async (tarball: string): Promise<Installed> => {
  const root = await mkdtemp(join(tmpdir(), 'dbspec-user-'));
  const project = join(root, 'their-app');
  await mkdir(project);
  await writeFile(join(project, 'package.json'), `${JSON.stringify({ name: 'their-app', version: '1.0.0', private: true }, null, 2)}\n`);
  const { stdout, stderr } = await run('npm', ['install', '--save-dev', tarball], { cwd: project, env: userEnv(), maxBuffer: 16 * 1024 * 1024 });
  return { project, root, stdout, stderr, remove: () => rm(root, { recursive: true, force: true }) };
};

export type Ran = { readonly code: number; readonly stdout: string; readonly stderr: string };

/** `npx dbspec ...` in the project, as its user types it. */
export const npxDbspec = async (project: string, args: readonly string[], extraEnv: Record<string, string> = {}): Promise<Ran> =>
  run('npx', ['--no-install', 'dbspec', ...args], { cwd: project, env: userEnv(extraEnv), maxBuffer: 16 * 1024 * 1024 }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code?: unknown; stdout?: string; stderr?: string }) => {
      if (typeof error.code !== 'number') throw error;
      return { code: error.code, stdout: error.stdout ?? '', stderr: error.stderr ?? '' };
    },
  );
