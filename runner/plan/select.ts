/**
 * Which specs a run takes: by tag, by name pattern, and by shard. Pure; the order of the input (sorted by
 * file) is kept, so every selection is deterministic.
 */
import type { Spec } from '../spec/types.ts';

export type Selection = {
  /** A spec is taken when any of its tags is listed (case-insensitive). Empty: all. */
  readonly tags?: readonly string[];
  /** A regular expression matched against the spec's name, file and step names. */
  readonly grep?: RegExp;
  /** 1-based shard index and count. */
  readonly shard?: { readonly index: number; readonly count: number };
  /** Durations of a previous run (file + name -> ms), to balance shards by time instead of by count. */
  readonly durations?: ReadonlyMap<string, number>;
};

export const specKey = (spec: { readonly file: string; readonly name: string }): string => `${spec.file}\u0000${spec.name}`;

const matchesTags = (spec: Spec, tags: readonly string[]): boolean => {
  if (tags.length === 0) return true;
  const wanted = new Set(tags.map((t) => t.toLowerCase()));
  return spec.tags.some((t) => wanted.has(t.toLowerCase()));
};

const matchesGrep = (spec: Spec, grep: RegExp): boolean => [spec.name, spec.file, ...spec.steps.map((s) => s.name)].some((text) => grep.test(text));

/**
 * Greedy longest-processing-time split: the heaviest spec goes to the lightest shard. Specs without a
 * known duration weigh the median of the known ones (or 1), so a plain count split falls out when there is
 * no history. Ties break by position, which keeps the split deterministic.
 */
export const shardOf = (specs: readonly Spec[], count: number, durations?: ReadonlyMap<string, number>): number[] => {
  const known = [...(durations?.values() ?? [])].sort((a, b) => a - b);
  const fallback = known.length > 0 ? known[Math.floor(known.length / 2)]! : 1;
  const weights = specs.map((s) => durations?.get(specKey(s)) ?? fallback);
  const order = specs.map((_, i) => i).sort((a, b) => weights[b]! - weights[a]! || a - b);
  const load = new Array<number>(count).fill(0);
  const assigned = new Array<number>(specs.length).fill(0);
  for (const i of order) {
    let lightest = 0;
    for (let s = 1; s < count; s++) if (load[s]! < load[lightest]!) lightest = s;
    assigned[i] = lightest;
    load[lightest]! += weights[i]!;
  }
  return assigned;
};

export const selectSpecs = (specs: readonly Spec[], selection: Selection): Spec[] => {
  const picked = specs.filter((s) => matchesTags(s, selection.tags ?? []) && (!selection.grep || matchesGrep(s, selection.grep)));
  if (!selection.shard) return picked;
  const { index, count } = selection.shard;
  const assigned = shardOf(picked, count, selection.durations);
  return picked.filter((_, i) => assigned[i] === index - 1);
};
