/**
 * Runs the dbspec CLI as a child process, the way a user or CI does, and collects what it printed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = join(REPO, 'runner', 'cli.ts');

export type CliRun = { readonly code: number | null; readonly signal: NodeJS.Signals | null; readonly stdout: string; readonly stderr: string };

/** Environment without any DBSPEC_* URL, so nothing leaks in from the caller's shell. */
export const cleanEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  for (const key of Object.keys(env)) if (key.startsWith('DBSPEC_')) delete env[key];
  return { ...env, ...extra };
};

export const startCli = (
  args: readonly string[],
  env: NodeJS.ProcessEnv = cleanEnv(),
  cwd = REPO,
): { child: ChildProcess; done: Promise<CliRun>; output: () => string } => {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliRun>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done, output: () => stdout + stderr };
};

export const runCli = (args: readonly string[], env?: NodeJS.ProcessEnv, cwd?: string): Promise<CliRun> => startCli(args, env, cwd).done;
