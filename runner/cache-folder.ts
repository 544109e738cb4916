/**
 * Where dbspec keeps what only saves time (validated specs, V8's compiled code): node_modules/.cache/dbspec
 * of the nearest project above `cwd`, else the user's cache folder; DBSPEC_CACHE_DIR puts it elsewhere and
 * DBSPEC_CACHE=off turns every cache off.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export const cachesOff = (): boolean => process.env.DBSPEC_CACHE === 'off';

export const cacheFolder = (cwd: string): string => {
  if (process.env.DBSPEC_CACHE_DIR) return resolve(process.env.DBSPEC_CACHE_DIR);
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules'))) return join(dir, 'node_modules', '.cache', 'dbspec');
    if (dirname(dir) === dir) break;
  }
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'dbspec');
};
