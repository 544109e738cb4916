/**
 * What a run's outcome depends on besides the database: each spec's files (its own file, then the fixture
 * files it uses) hashed, and a fingerprint of the whole selection (before --shard), so a diff can tell
 * "spec edited" from "behaviour changed" and `merge` can tell shards of one selection from a mixed set.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Selection, SpecSource } from '../results/types.ts';
import type { Spec } from '../spec/types.ts';
import { specKey } from './select.ts';

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/**
 * The files besides its own that a spec reads. None yet: fixture files (#16) are to be listed here, so that
 * editing a fixture reads as "spec edited" in a diff.
 */
const fixtureFiles = (_spec: Spec): readonly string[] => [];

/** Hashes of files already read by the loader (absolute path -> SHA-256): not read again. */
type KnownHashes = ReadonlyMap<string, string>;

const hashFile = async (cwd: string, path: string, known: KnownHashes): Promise<{ path: string; sha256: string }> => {
  const hash = known.get(resolve(cwd, path));
  if (hash !== undefined) return { path, sha256: hash };
  try {
    return { path, sha256: sha256(await readFile(resolve(cwd, path))) };
  } catch {
    // Gone since it was loaded: still a distinct value, so the spec reads as edited rather than unchanged.
    return { path, sha256: sha256(`missing:${path}`) };
  }
};

export const specSource = async (spec: Spec, cwd: string, known: KnownHashes = new Map()): Promise<SpecSource> => {
  const files = await Promise.all([spec.file, ...fixtureFiles(spec)].map((path) => hashFile(cwd, path, known)));
  return { fingerprint: sha256(files.map((f) => `${f.path}\u0000${f.sha256}`).join('\n')), files };
};

/** Spec key (file + name) -> its sources, for every spec of the selection. */
export const specSources = async (specs: readonly Spec[], cwd: string, known: KnownHashes = new Map()): Promise<Map<string, SpecSource>> =>
  new Map(await Promise.all(specs.map(async (spec) => [specKey(spec), await specSource(spec, cwd, known)] as const)));

/** The whole selection (all shards), and this run's shard of it. */
export const selectionOf = (
  selected: readonly Spec[],
  sources: ReadonlyMap<string, SpecSource>,
  shard: { readonly index: number; readonly count: number } | undefined,
): Selection => {
  const lines = selected.map((spec) => `${specKey(spec)}\u0000${sources.get(specKey(spec))?.fingerprint ?? ''}`).sort();
  return {
    // Not the shard count: merged shards fingerprint like the unsharded run (merge checks the counts agree).
    fingerprint: sha256(lines.join('\n')),
    specs: selected.length,
    ...(shard ? { shard: { index: shard.index, count: shard.count } } : {}),
  };
};
