/**
 * V8's compile cache for dbspec's own modules (Node 22.1+, `module.enableCompileCache`): a start-up then
 * loads compiled code instead of compiling ~400 modules again. Kept in the node_modules/.cache/dbspec of
 * the install (beside the validation cache), or under DBSPEC_CACHE_DIR; DBSPEC_CACHE=off turns it off.
 * Node 20 has no compile cache: nothing happens there.
 */
import * as nodeModule from 'node:module';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder for the cache: inside the node_modules that holds this file, else none (Node's default). */
const cacheDir = (): string | undefined => {
  if (process.env.DBSPEC_CACHE_DIR) return join(resolve(process.env.DBSPEC_CACHE_DIR), 'compile');
  const here = dirname(fileURLToPath(import.meta.url));
  const at = here.lastIndexOf(`${sep}node_modules${sep}`);
  // A checkout of dbspec itself: its own node_modules.
  const root = at >= 0 ? here.slice(0, at) : join(here, '..');
  return join(root, 'node_modules', '.cache', 'dbspec', 'compile');
};

export const enableCompileCache = (): void => {
  if (process.env.DBSPEC_CACHE === 'off') return;
  const enable = (nodeModule as { enableCompileCache?: (dir?: string) => unknown }).enableCompileCache;
  try {
    enable?.(cacheDir());
  } catch {
    // A cache is a speed-up only.
  }
};
