/**
 * Paths given on the command line -> spec files. Folders are searched recursively for `*.spec.yaml`; a file
 * named explicitly is taken whatever its name.
 */
import { readdir, stat } from 'node:fs/promises';
import { relative, resolve, sep } from 'node:path';
import type { Diagnostic } from '../diagnostics.ts';

export const SPEC_SUFFIX = '.spec.yaml';

const display = (cwd: string, absolute: string): string => {
  const rel = relative(cwd, absolute) || '.';
  return sep === '/' ? rel : rel.split(sep).join('/');
};

const walk = async (folder: string): Promise<string[]> => {
  const entries = await readdir(folder, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith(SPEC_SUFFIX) && !e.parentPath.split(sep).includes('node_modules'))
    .map((e) => resolve(e.parentPath, e.name));
};

export const findSpecFiles = async (paths: readonly string[], cwd: string = process.cwd()): Promise<{ files: string[]; diagnostics: Diagnostic[] }> => {
  const found = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  for (const p of paths) {
    const absolute = resolve(cwd, p);
    let info;
    try {
      info = await stat(absolute);
    } catch {
      diagnostics.push({ kind: 'config', code: 'DBSPEC_NO_SUCH_PATH', message: `no such file or folder: ${p}` });
      continue;
    }
    if (info.isDirectory()) for (const f of await walk(absolute)) found.add(display(cwd, f));
    else found.add(display(cwd, absolute));
  }
  return { files: [...found].sort(), diagnostics };
};
