/**
 * Shards -> one run. Shards of one run share release and commit; a spec that appears in two parts means the
 * parts overlap (wrong --shard, or the same file passed twice), which is an error rather than a silent pick.
 * Parts that recorded their shard must add up: every shard 1..N of one selection (same fingerprint), else
 * the merge is refused naming what is missing or mixed, unless `allowPartial` (then the merged run says which
 * shards were missing).
 */
import { DbspecError } from '../diagnostics.ts';
import type { Diagnostic } from '../diagnostics.ts';
import { compareSpecs } from './read.ts';
import { summarize } from './summary.ts';
import { RESULTS_FORMAT, RESULTS_VERSION } from './types.ts';
import type { RunResults, Selection, SpecResult } from './types.ts';
import type { ProblemCode } from '../error-codes.ts';

export type MergeOptions = { readonly allowPartial?: boolean };

const mergeError = (code: ProblemCode, message: string): DbspecError => new DbspecError({ kind: 'config', code, message } satisfies Diagnostic);

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
      // Migrations and schema come from the first part: shards of one selection ran on the same ones.
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

const shardLabel = (p: RunResults, i: number): string => (p.selection?.shard ? `shard ${p.selection.shard.index}/${p.selection.shard.count}` : `part ${i + 1}`);

/** The selection the parts add up to; throws when they are mixed or (without allowPartial) incomplete. */
const mergedSelection = (parts: readonly RunResults[], options: MergeOptions): Selection | undefined => {
  const sharded = parts.filter((p) => p.selection?.shard);
  if (sharded.length === 0) return parts.length === 1 ? parts[0]!.selection : undefined;
  const fingerprints = [...new Set(sharded.map((p) => p.selection!.fingerprint))];
  const counts = [...new Set(sharded.map((p) => p.selection!.shard!.count))];
  if (fingerprints.length > 1 || counts.length > 1 || sharded.length < parts.length) {
    const groups = parts.map((p, i) => `${shardLabel(p, i)} of selection ${p.selection?.fingerprint.slice(0, 12) ?? '(none recorded)'}`);
    if (!options.allowPartial)
      throw mergeError('DBSPEC_MERGE_MIXED', `the parts are shards of different selections (other specs, files or --shard counts): ${groups.join(', ')}`);
    return undefined;
  }
  const count = counts[0]!;
  const have = new Set(sharded.map((p) => p.selection!.shard!.index));
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !have.has(i));
  if (missing.length > 0 && !options.allowPartial)
    throw mergeError(
      'DBSPEC_MERGE_INCOMPLETE',
      `incomplete set: missing shard${missing.length === 1 ? '' : 's'} ${missing.map((i) => `${i}/${count}`).join(', ')} (have ${[...have].sort((a, b) => a - b).join(', ')} of ${count}); pass --allow-partial to merge anyway`,
    );
  const first = sharded[0]!.selection!;
  return { fingerprint: first.fingerprint, specs: first.specs, ...(missing.length > 0 ? { missingShards: missing } : {}) };
};

export const mergeResults = (parts: readonly RunResults[], options: MergeOptions = {}): RunResults => {
  if (parts.length === 0) throw mergeError('DBSPEC_MERGE_EMPTY', 'nothing to merge: give at least one results file');
  const selection = mergedSelection(parts, options);
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
    ...(parts[0]!.hostname !== undefined ? { hostname: [...new Set(parts.flatMap((p) => p.hostname ?? []))].join(', ') } : {}),
    ...(selection ? { selection } : {}),
    databases: mergeDatabases(parts),
    summary: summarize(specs),
    specs,
  };
};
