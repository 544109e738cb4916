/**
 * `dbspec run --update`: the run as usual, with record mode around it. Refuses (exit 2) when a database is a
 * shared one; otherwise returns the run's own exit code, since the run itself did fail.
 */
import { loadConfig, specsFolder } from '../config.ts';
import { exitCodeFor } from '../diagnostics.ts';
import { formatDiagnostics } from '../spec/format-diagnostic.ts';
import { loadSpecs } from '../spec/validate.ts';
import { applyRecordings, describeChanges, refuseShared, startRecording } from './record.ts';

export const recordRun = async (options: { readonly paths: readonly string[]; readonly config?: string }, run: () => Promise<number>): Promise<number> => {
  const cwd = process.cwd();
  const { config } = await loadConfig({ cwd, ...(options.config !== undefined ? { file: options.config } : {}), env: process.env });
  // Config and spec problems are left to the run, which reports them the usual way.
  if (!config) return run();
  const refused = refuseShared(config);
  if (refused.length > 0) {
    process.stderr.write((await formatDiagnostics(refused)) + '\n');
    return exitCodeFor(refused);
  }
  const { specs } = await loadSpecs(options.paths.length > 0 ? options.paths : [specsFolder(config)], { databases: config.databases.map((d) => d.name), cwd });
  const recording = startRecording(specs);
  let code: number;
  try {
    code = await run();
  } catch (error) {
    recording.finish();
    throw error;
  }
  const recorded = recording.finish();
  // Interrupted or never ran (invalid specs, no database): nothing trustworthy to record.
  if (code === 130 || code === 2 || (recorded.length === 0 && code !== 0)) return code;
  process.stdout.write('\n' + describeChanges(await applyRecordings(recorded, specs, cwd)));
  return code;
};
