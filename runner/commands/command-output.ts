/**
 * What every command does the same way: usage mistakes as diagnostics, diagnostics printed (passwords
 * redacted) with the exit code they call for, and the config and specs a command works on.
 */
import { relative } from 'node:path';
import { loadConfig, specsFolder, type Config } from '../config.ts';
import { DbspecError, exitCodeFor, type Diagnostic } from '../diagnostics.ts';
import { redactSecrets } from '../redact.ts';
import { formatDiagnostics } from '../spec/format-diagnostic.ts';
import type { Spec } from '../spec/types.ts';
import { loadSpecs } from '../spec/validate.ts';

export const usage = (message: string): Diagnostic => ({ kind: 'config', code: 'DBSPEC_USAGE', message });

/** Prints to stderr; returns 1 for authoring mistakes, 2 for usage, configuration and connection problems. */
export const fail = async (diagnostics: readonly Diagnostic[]): Promise<number> => {
  process.stderr.write(redactSecrets(await formatDiagnostics(diagnostics)) + '\n');
  return exitCodeFor(diagnostics);
};

/** The config named by --config, else the nearest dbspec.config.yaml from the working directory up. */
export const commandConfig = (values: Readonly<Record<string, unknown>>) =>
  loadConfig({ cwd: process.cwd(), ...(typeof values.config === 'string' ? { file: values.config } : {}), env: process.env });

export type Project = {
  readonly config: Config;
  readonly specs: Spec[];
  readonly files: string[];
  readonly diagnostics: Diagnostic[];
  /** SHA-256 of the files read while loading, by absolute path (loadSpecs). */
  readonly fileHashes: ReadonlyMap<string, string>;
};

/** The config, then the specs under `paths` (default: the config's specs folder); a config problem comes back as diagnostics alone. */
export const loadProject = async (
  values: Readonly<Record<string, unknown>>,
  paths: readonly string[],
): Promise<Project | { readonly configProblems: readonly Diagnostic[] }> => {
  const { config, diagnostics } = await commandConfig(values);
  if (!config) return { configProblems: diagnostics };
  const loaded = await loadSpecs(paths.length > 0 ? paths : [specsFolder(config)], { databases: config.databases.map((d) => d.name), cwd: process.cwd() });
  return { config, ...loaded };
};

// The results commands (report, diff, merge) print plain `dbspec CMD: message` lines: no spec to frame.
/** Prints a command's diagnostics (or an unexpected error, which is a bug) and returns the exit code. */
export const reportFailure = (command: string, error: unknown): number => {
  if (!(error instanceof DbspecError)) throw error;
  for (const d of error.diagnostics) process.stderr.write(`dbspec ${command}: ${d.message}${d.hint ? `\n  hint: ${d.hint}` : ''}\n`);
  return exitCodeFor(error.diagnostics);
};

export const usageError = (command: string, message: string, usage: string): number => {
  const d: Diagnostic = { kind: 'config', code: 'DBSPEC_USAGE', message: `${message}\nUsage: ${usage}` };
  return reportFailure(command, new DbspecError(d));
};

export const shown = (path: string): string => relative(process.cwd(), path) || path;
