/**
 * Paths given on the command line -> spec files. Folders are searched recursively for `*.spec.yaml`; a file
 * named explicitly is taken whatever its name. Symbolic links are followed (each real folder searched once,
 * each real file taken once); what is named like a spec but cannot be one (a folder, a named pipe, a link
 * loop, a link to nothing) is reported at its path rather than skipped without a word.
 */
import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import type { Diagnostic } from '../diagnostics.ts';
import { notAFile, unreadable } from './regular-file.ts';

export const SPEC_SUFFIX = '.spec.yaml';

const display = (cwd: string, absolute: string): string => {
  const rel = relative(cwd, absolute) || '.';
  return sep === '/' ? rel : rel.split(sep).join('/');
};

type Walk = { readonly cwd: string; readonly found: Map<string, string>; readonly folders: Set<string>; readonly diagnostics: Diagnostic[] };

/** A thing inside a specs folder that is named like a spec and is not one (exit 1: the folder is the author's). */
const notASpec = (w: Walk, path: string, what: string): void => {
  w.diagnostics.push({
    kind: 'authoring',
    code: 'DBSPEC_NOT_A_FILE',
    message: `this is ${what}, not a spec file`,
    location: { file: display(w.cwd, path), line: 1, column: 1 },
    hint: `only files named *${SPEC_SUFFIX} are specs: rename or remove it`,
  });
};

/** `real`: the file's real path, when known without asking (a plain file in a folder whose real path is known). */
const addFile = async (w: Walk, path: string, real?: string): Promise<void> => {
  const key = real ?? (await realpath(path).catch(() => path));
  if (!w.found.has(key)) w.found.set(key, display(w.cwd, path));
};

const visitEntry = async (w: Walk, entry: Dirent, path: string, realFolder: string): Promise<void> => {
  const named = entry.name.endsWith(SPEC_SUFFIX);
  if (entry.isDirectory()) {
    if (named) notASpec(w, path, 'a folder');
    if (entry.name !== 'node_modules') await walk(w, path);
    return;
  }
  if (entry.isFile()) {
    if (named) await addFile(w, path, join(realFolder, entry.name));
    return;
  }
  if (!entry.isSymbolicLink()) {
    if (named) notASpec(w, path, notAFile(await stat(path)) ?? 'not a regular file');
    return;
  }
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (named) notASpec(w, path, code === 'ENOENT' ? 'a symbolic link to nothing' : unreadable(code));
    return;
  }
  if (info.isDirectory()) {
    if (entry.name !== 'node_modules') await walk(w, path);
  } else if (named) {
    const other = notAFile(info);
    if (other === undefined) await addFile(w, path);
    else notASpec(w, path, `a symbolic link to ${other}`);
  }
};

/** Searches one folder; a folder reached again through a link (a loop) is not searched twice. */
const walk = async (w: Walk, folder: string): Promise<void> => {
  const real = await realpath(folder).catch(() => folder);
  if (w.folders.has(real)) return;
  w.folders.add(real);
  let entries: Dirent[];
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch (error) {
    w.diagnostics.push({
      kind: 'config',
      code: 'DBSPEC_NO_SUCH_PATH',
      message: `cannot search ${display(w.cwd, folder)}: ${unreadable((error as NodeJS.ErrnoException).code)}`,
    });
    return;
  }
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) await visitEntry(w, entry, join(folder, entry.name), real);
};

export const findSpecFiles = async (paths: readonly string[], cwd: string = process.cwd()): Promise<{ files: string[]; diagnostics: Diagnostic[] }> => {
  const w: Walk = { cwd, found: new Map(), folders: new Set(), diagnostics: [] };
  for (const p of paths) {
    const absolute = resolve(cwd, p);
    let info;
    try {
      info = await stat(absolute);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      w.diagnostics.push(
        code === 'ENOENT'
          ? { kind: 'config', code: 'DBSPEC_NO_SUCH_PATH', message: `no such file or folder: ${p}` }
          : { kind: 'config', code: 'DBSPEC_NOT_A_FILE', message: `${p}: ${unreadable(code)}` },
      );
      continue;
    }
    if (info.isDirectory()) await walk(w, absolute);
    else if (notAFile(info) !== undefined)
      w.diagnostics.push({ kind: 'config', code: 'DBSPEC_NOT_A_FILE', message: `${p}: this is ${notAFile(info)}, not a spec file` });
    else await addFile(w, absolute);
  }
  return { files: [...new Set(w.found.values())].sort(), diagnostics: w.diagnostics };
};
