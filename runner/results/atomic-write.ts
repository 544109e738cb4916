import { open, rename, rm } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';

/**
 * Writes a file so that a reader (or a crash) sees either the old content or the new, never a half-written
 * file: write to a temporary file beside it, fsync, then rename over the target.
 */
export const writeFileAtomic = async (path: string, content: string | Uint8Array): Promise<void> => {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  try {
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    // A full disk fails the write, not the rename: the temporary file goes either way.
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
};

/**
 * Whether results can be written to `dir`, asked before the first spec runs: a file is written there (as
 * results are, beside their target) and removed. @throws the file system's error when it cannot.
 */
export const checkWritable = async (dir: string): Promise<void> => {
  const probe = join(dir, '.dbspec-write-check');
  try {
    await writeFileAtomic(probe, 'dbspec checks that results can be written here\n');
  } finally {
    await rm(probe, { force: true }).catch(() => undefined);
  }
};
