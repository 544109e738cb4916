/**
 * `dbspec run --update`: the run as usual, with record mode around it. Refuses (exit 2) when a database is a
 * shared one; otherwise returns the run's own exit code, since the run itself did fail.
 */
import { loadConfig } from '../config.ts';
import { exitCodeFor } from '../diagnostics.ts';
import { formatDiagnostics } from '../spec/format-diagnostic.ts';
import { loadSpecs } from '../spec/validate.ts';
import { resolve } from 'node:path';
import { readResults } from '../results/read.ts';
import { applyCleanupProposals, describeCleanupChanges } from './record-cleanup.ts';
import { applyRecordings, describeChanges, refuseShared, startRecording } from './record.ts';

export const recordRun = async (
  options: { readonly paths: readonly string[]; readonly config?: string; readonly out: string },
  run: () => Promise<number>,
): Promise<number> => {
  const cwd = process.cwd();
  const { config } = await loadConfig({ cwd, ...(options.config !== undefined ? { file: options.config } : {}), env: process.env });
  // Config and spec problems are left to the run, which reports them the usual way.
  if (!config) return run();
  const refused = refuseShared(config);
  if (refused.length > 0) {
    process.stderr.write((await formatDiagnostics(refused)) + '\n');
    return exitCodeFor(refused);
  }
  const { specs } = await loadSpecs(options.paths, { databases: config.databases.map((d) => d.name), cwd });
  const recording = startRecording(specs);
  let code: number;
  const startedAt = Date.now();
  try {
    code = await run();
  } catch (error) {
    recording.finish();
    throw error;
  }
  const recorded = recording.finish();
  // Interrupted or never ran (invalid specs, no database): nothing trustworthy to record.
  if (code === 130 || code === 2) return code;
  // Rows first: they are located by line and column in the file as loaded; the cleanup re-reads the file.
  const rows = recorded.length > 0 || code === 0 ? describeChanges(await applyRecordings(recorded, specs, cwd)) : '';
  // The leak explanations travel in results.json, if this run wrote it (not one left by an earlier run).
  const results = await readResults(resolve(cwd, options.out, 'results.json')).catch(() => undefined);
  const fresh = results && Date.parse(results.startedAt) >= startedAt - 1_000 ? results : undefined;
  const cleanups = fresh ? await applyCleanupProposals(fresh, cwd) : [];
  if (rows) process.stdout.write('\n' + rows);
  if (cleanups.length > 0) process.stdout.write('\n' + describeCleanupChanges(cleanups));
  return code;
};
