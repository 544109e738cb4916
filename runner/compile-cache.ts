/**
 * V8's compile cache for dbspec's own modules (Node 22.1+, `module.enableCompileCache`): a start-up then
 * loads compiled code instead of compiling ~400 modules again. In `compile/` of dbspec's cache folder
 * (cache-folder.ts), beside the validation cache. Node 20 has no compile cache: nothing happens there.
 */
import * as nodeModule from 'node:module';
import { join } from 'node:path';
import { cacheFolder, cachesOff } from './cache-folder.ts';

export const enableCompileCache = (): void => {
  if (cachesOff()) return;
  const enable = (nodeModule as { enableCompileCache?: (dir?: string) => unknown }).enableCompileCache;
  try {
    enable?.(join(cacheFolder(process.cwd()), 'compile'));
  } catch {
    // A cache is a speed-up only.
  }
};
