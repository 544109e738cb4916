/**
 * `dbspec run --update`: the run as usual, with record mode listening to its events. The run refuses (exit 2)
 * when a database is a shared one; otherwise this returns the run's own exit code, since the run itself did
 * fail.
 */
import type { Config } from '../config.ts';
import type { Diagnostic } from '../diagnostics.ts';
import { EVENT_SPEC, RunEvents } from '../execute/events.ts';
import type { SpecResult } from '../results/types.ts';
import { applyCleanupProposals, describeCleanupChanges } from './record-cleanup.ts';
import { applyRecordings, describeChanges, refuseShared } from './record.ts';
import { startRecording } from './recorder.ts';
import { applySchemaRecordings, describeSchemaChanges, startSchemaRecording } from './record-schema.ts';

/** What record mode hands the run: its refusal of shared databases, and the events it listens to. */
export type RecordHooks = { readonly refuse: (config: Config) => Diagnostic[]; readonly events: RunEvents };

export const recordRun = async (run: (hooks: RecordHooks) => Promise<number>): Promise<number> => {
  const events = new RunEvents();
  const recording = startRecording(events);
  // A spec that leaked carries a cleanup proposal in its isolation step (see execute/leak-explain.ts).
  const leaked: SpecResult[] = [];
  events.on(EVENT_SPEC, (_index, result) => {
    if (result.steps.some((s) => s.phase === 'isolation' && s.failure?.cleanup)) leaked.push(result);
  });
  const schemaRecording = startSchemaRecording(events);
  let code: number;
  try {
    code = await run({ refuse: refuseShared, events });
  } catch (error) {
    schemaRecording.finish();
    throw error;
  }
  const recorded = recording.finish();
  const schemas = schemaRecording.finish();
  // Interrupted or never ran (invalid specs, no database): nothing trustworthy to record.
  if (code === 130 || code === 2 || (recorded.length === 0 && schemas.length === 0 && leaked.length === 0 && code !== 0)) return code;
  // Rows first: they are located by line and column in the file as loaded; the cleanup re-reads the file.
  if (recorded.length > 0 || leaked.length === 0) process.stdout.write('\n' + describeChanges(await applyRecordings(recorded, process.cwd())));
  process.stdout.write(describeSchemaChanges(await applySchemaRecordings(schemas, process.cwd())));
  const cleanups = await applyCleanupProposals(leaked, process.cwd());
  if (cleanups.length > 0) process.stdout.write('\n' + describeCleanupChanges(cleanups));
  return code;
};
