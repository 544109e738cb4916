/**
 * Shards -> one run. Shards of one run share release and commit; a spec that appears in two parts means the
 * parts overlap (wrong --shard, or the same file passed twice), which is an error rather than a silent pick.
 */
import { DbspecError } from '../diagnostics.ts';
import type { Diagnostic } from '../diagnostics.ts';
import { compareSpecs } from './read.ts';
import { summarize } from './summary.ts';
import { RESULTS_FORMAT, RESULTS_VERSION } from './types.ts';
import type { RunResults, SpecResult } from './types.ts';

const mergeError = (code: string, message: string): DbspecError => new DbspecError({ kind: 'config', code, message } satisfies Diagnostic);

const agreed = (parts: readonly RunResults[], field: 'release' | 'commit'): string | null => {
  const values = [...new Set(parts.map((p) => p[field]).filter((v): v is string => v !== null))];
  if (values.length > 1) throw mergeError('DBSPEC_MERGE_MISMATCH', `cannot merge runs of different ${field}s: ${values.join(', ')}`);
  return values[0] ?? null;
};

const mergeDatabases = (parts: readonly RunResults[]): RunResults['databases'] => {
  const out: Record<string, { serverVersion: string; embedded: boolean }> = {};
  for (const part of parts) {
    for (const [name, db] of Object.entries(part.databases)) {
      const seen = out[name];
      if (!seen) out[name] = { ...db };
      else {
        // Shards on different machines may report different servers: show both rather than hide one.
        if (!seen.serverVersion.split(' / ').includes(db.serverVersion)) seen.serverVersion += ` / ${db.serverVersion}`;
        seen.embedded ||= db.embedded;
      }
    }
  }
  return out;
};

const time = (iso: string): number => Date.parse(iso);

export const mergeResults = (parts: readonly RunResults[]): RunResults => {
  if (parts.length === 0) throw mergeError('DBSPEC_MERGE_EMPTY', 'nothing to merge: give at least one results file');
  const byName = new Map<string, SpecResult>();
  for (const part of parts) {
    for (const spec of part.specs) {
      const other = byName.get(spec.name);
      if (other)
        throw mergeError(
          'DBSPEC_MERGE_DUPLICATE',
          `spec "${spec.name}" (${spec.file}) is in two of the parts: were the shards overlapping, or one file given twice?`,
        );
      byName.set(spec.name, spec);
    }
  }
  const specs = [...byName.values()].sort(compareSpecs);
  const started = parts.map((p) => p.startedAt).sort((a, b) => time(a) - time(b))[0]!;
  const finished = parts.map((p) => p.finishedAt).sort((a, b) => time(b) - time(a))[0]!;
  // Shards run side by side: the merged run took from the first start to the last finish (wall clock).
  const wall = time(finished) - time(started);
  return {
    format: RESULTS_FORMAT,
    version: RESULTS_VERSION,
    release: agreed(parts, 'release'),
    commit: agreed(parts, 'commit'),
    startedAt: started,
    finishedAt: finished,
    durationMs: Number.isFinite(wall) && wall >= 0 ? wall : Math.max(...parts.map((p) => p.durationMs)),
    interrupted: parts.some((p) => p.interrupted),
    databases: mergeDatabases(parts),
    summary: summarize(specs),
    specs,
  };
};
