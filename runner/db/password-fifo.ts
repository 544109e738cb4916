/**
 * Hands initdb its password through a named pipe (`--pwfile=<fifo>`): the password sits in the kernel's pipe
 * buffer, never in a file, and the pipe is unlinked the moment initdb has opened it. A run killed during
 * initdb leaves at most an empty pipe, which the next run removes with the server's folder.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, constants, chownSync, openSync, rmSync, writeSync } from 'node:fs';

export type PasswordFeed = {
  /** Stops waiting for a reader and removes the pipe; idempotent. */
  stop(): Promise<void>;
};

const POLL_MS = 10;

export const writePasswordFifo = (path: string, password: string, user: { uid: number; gid: number } | undefined): PasswordFeed => {
  const made = spawnSync('mkfifo', ['-m', '600', path], { stdio: 'ignore' });
  if (made.status !== 0) throw new Error('cannot create the password pipe for initdb (mkfifo failed)');
  if (user) chownSync(path, user.uid, user.gid);
  let timer: NodeJS.Timeout | undefined;
  let done = false;
  const remove = (): void => {
    done = true;
    clearTimeout(timer);
    rmSync(path, { force: true });
  };
  // Opening for writing without blocking fails (ENXIO) until initdb opens the pipe for reading.
  const attempt = (): void => {
    if (done) return;
    let fd: number;
    try {
      fd = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
    } catch {
      timer = setTimeout(attempt, POLL_MS);
      return;
    }
    try {
      writeSync(fd, `${password}\n`);
    } finally {
      closeSync(fd);
      remove();
    }
  };
  attempt();
  return {
    stop: async () => {
      remove();
    },
  };
};
