/**
 * What every command does the same way: usage mistakes as diagnostics, diagnostics printed (passwords
 * redacted) with the exit code they call for, and the config and specs a command works on.
 */
import { loadConfig, type Config } from '../config.ts';
import { exitCodeFor, type Diagnostic } from '../diagnostics.ts';
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

/** The config named by --config (or found in the working directory). */
export const commandConfig = (values: Readonly<Record<string, unknown>>) =>
  loadConfig({ cwd: process.cwd(), ...(typeof values.config === 'string' ? { file: values.config } : {}), env: process.env });

export type Project = { readonly config: Config; readonly specs: Spec[]; readonly files: string[]; readonly diagnostics: Diagnostic[] };

/** The config, then the specs under `paths` (default `specs`); a config problem comes back as diagnostics alone. */
export const loadProject = async (values: Readonly<Record<string, unknown>>, paths: readonly string[]): Promise<Project | { readonly configProblems: readonly Diagnostic[] }> => {
  const { config, diagnostics } = await commandConfig(values);
  if (!config) return { configProblems: diagnostics };
  const loaded = await loadSpecs(paths.length > 0 ? paths : ['specs'], { databases: config.databases.map((d) => d.name), cwd: process.cwd() });
  return { config, ...loaded };
};
