/**
 * How the mutation score moved between two proves (two releases): the scores, and the guarantees no longer
 * protected (killed before, surviving now, or new and surviving) or newly protected. Pure; `dbspec diff`
 * shows it when a prove.json sits beside each results.json.
 */
import type { MutantResult, ProveResults } from './prove-results.ts';

export type ProveMutantRef = Pick<MutantResult, 'id' | 'kind' | 'object' | 'description' | 'file' | 'line'>;

export type ProveChange = {
  readonly oldPct: number | null;
  readonly newPct: number | null;
  /** Surviving now, and killed before or not there before. */
  readonly lost: readonly ProveMutantRef[];
  /** Killed now, and surviving before. */
  readonly gained: readonly ProveMutantRef[];
};

const ref = (m: MutantResult): ProveMutantRef => ({ id: m.id, kind: m.kind, object: m.object, description: m.description, file: m.file, line: m.line });

export const diffProve = (old: ProveResults, next: ProveResults): ProveChange => {
  const before = new Map(old.mutants.map((m) => [m.id, m.status]));
  return {
    oldPct: old.summary.scorePct,
    newPct: next.summary.scorePct,
    lost: next.mutants.filter((m) => m.status === 'survived' && before.get(m.id) !== 'survived').map(ref),
    gained: next.mutants.filter((m) => m.status === 'killed' && before.get(m.id) === 'survived').map(ref),
  };
};
