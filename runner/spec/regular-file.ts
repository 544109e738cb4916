/**
 * Reading a file that may turn out to be something else. Opening a named pipe for reading waits for a writer
 * (forever: `dbspec validate pipe.spec.yaml` hung), so files are opened non-blocking and checked to be regular
 * files before a byte is read; a folder, pipe, socket or device is named in words instead.
 */
import { constants, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';

/** `a folder`, `a named pipe`...; undefined for a regular file. */
export const notAFile = (info: Stats): string | undefined => {
  if (info.isFile()) return undefined;
  if (info.isDirectory()) return 'a folder';
  if (info.isFIFO()) return 'a named pipe';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  return 'not a regular file';
};

/** Why a path could not be opened, in words, from its error code. */
export const unreadable = (code: string | undefined): string => {
  if (code === 'ENOENT') return 'no such file';
  if (code === 'ELOOP') return 'a symbolic link loop';
  if (code === 'EACCES' || code === 'EPERM') return 'not allowed to read it';
  if (code === 'EISDIR') return 'a folder';
  return `cannot read it (${code ?? 'unknown error'})`;
};

export type FileRead =
  /** `bytes` is absent when the file is larger than the limit. */
  { readonly bytes?: Buffer; readonly size: number; readonly notAFile?: undefined } | { readonly notAFile: string; readonly bytes?: undefined };

/** Reads a regular file of at most `maxBytes`; errors from opening it are thrown (see `unreadable`). */
export const readRegularFile = async (path: string, maxBytes: number): Promise<FileRead> => {
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const info = await handle.stat();
    const other = notAFile(info);
    if (other !== undefined) return { notAFile: other };
    if (info.size > maxBytes) return { size: info.size };
    return { bytes: await handle.readFile(), size: info.size };
  } finally {
    await handle.close();
  }
};
