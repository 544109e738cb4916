import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';

/** Text made piece by piece (resultsJsonChunks), written in batches of about 1 MB. */
const writePieces = async (handle: FileHandle, pieces: Iterable<string>): Promise<void> => {
  let batch = '';
  for (const piece of pieces) {
    batch += piece;
    if (batch.length >= 1 << 20) {
      await handle.write(batch);
      batch = '';
    }
  }
  if (batch.length > 0) await handle.write(batch);
};

/**
 * Writes a file so that a reader (or a crash) sees either the old content or the new, never a half-written
 * file: write to a temporary file beside it, fsync, then rename over the target.
 */
export const writeFileAtomic = async (path: string, content: string | Uint8Array | Iterable<string>): Promise<void> => {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  try {
    const handle = await open(temp, 'w');
    try {
      if (typeof content === 'string' || content instanceof Uint8Array) await handle.writeFile(content);
      else await writePieces(handle, content);
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
