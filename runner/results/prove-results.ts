/**
 * The results of `dbspec prove` as data: every mutant with what became of it, the mutation score per
 * database and overall. prove.json is this, serialized with a stable order (by database, file, line, kind,
 * object), so two proves of the same code differ only in timings (`startedAt`, `finishedAt`, `durationMs`).
 * Bump PROVE_VERSION on any incompatible change.
 */
import type { RunResults } from './types.ts';

export const PROVE_FORMAT = 'dbspec-prove';
export const PROVE_VERSION = 1;

/** killed: a spec failed on the mutant. survived: every spec that names its tables passed (or none does). unapplied: the mutant could not be built. */
export type MutantStatus = 'killed' | 'survived' | 'unapplied';

export type MutantResult = {
  readonly id: string;
  readonly database: string;
  /** drop-unique, drop-foreign-key, change-on-delete, drop-trigger, disable-rls, weaken-grant, ... */
  readonly kind: string;
  readonly object: string;
  readonly description: string;
  readonly file: string;
  readonly line: number;
  /** compensate: the original migrations, then one statement; rewrite: one migration's text changed. */
  readonly change: 'compensate' | 'rewrite';
  readonly tables: readonly string[];
  readonly status: MutantStatus;
  /** The specs run against it (file order); empty when no spec names its tables. */
  readonly specs: readonly string[];
  /** The first failure among them, for a killed mutant. */
  readonly killedBy?: { readonly spec: string; readonly step: string; readonly location: string; readonly message: string };
  /** Why it could not be built, for an unapplied one. */
  readonly error?: string;
  readonly durationMs: number;
};

/** killed / (killed + survived): a mutant that failed to apply says nothing about the specs. Null when none applied. */
export type Score = {
  readonly mutants: number;
  readonly killed: number;
  readonly survived: number;
  readonly unapplied: number;
  readonly scorePct: number | null;
};

/** Stamped as a run's results are: release, commit, when, how long, whether interrupted. */
export type ProveResults = Pick<RunResults, 'release' | 'commit' | 'startedAt' | 'finishedAt' | 'durationMs' | 'interrupted'> & {
  readonly format: typeof PROVE_FORMAT;
  readonly version: typeof PROVE_VERSION;
  readonly summary: Score;
  /** Per database, in name order. */
  readonly databases: Readonly<Record<string, Score & { readonly serverVersion: string; readonly embedded: boolean }>>;
  /** What mutant generation could not look into (a DO block, ...), by file and line. */
  readonly notes: readonly { readonly file: string; readonly line: number; readonly message: string }[];
  readonly mutants: readonly MutantResult[];
};

export const score = (mutants: readonly Pick<MutantResult, 'status'>[]): Score => {
  const killed = mutants.filter((m) => m.status === 'killed').length;
  const survived = mutants.filter((m) => m.status === 'survived').length;
  const applied = killed + survived;
  return {
    mutants: mutants.length,
    killed,
    survived,
    unapplied: mutants.length - applied,
    scorePct: applied === 0 ? null : Math.round((killed / applied) * 1000) / 10,
  };
};

const compareMutants = (a: MutantResult, b: MutantResult): number =>
  a.database.localeCompare(b.database) || a.file.localeCompare(b.file) || a.line - b.line || a.kind.localeCompare(b.kind) || a.object.localeCompare(b.object);

export type ProveFacts = Omit<ProveResults, 'format' | 'version' | 'summary' | 'databases' | 'mutants'> & {
  readonly servers: Readonly<Record<string, { readonly serverVersion: string; readonly embedded: boolean }>>;
};

export const assembleProve = (mutants: readonly MutantResult[], facts: ProveFacts): ProveResults => {
  const sorted = [...mutants].sort(compareMutants);
  const databases = Object.fromEntries(
    Object.keys(facts.servers)
      .sort()
      .map((name) => [name, { ...score(sorted.filter((m) => m.database === name)), ...facts.servers[name]! }]),
  );
  const { servers: _servers, ...rest } = facts;
  return {
    format: PROVE_FORMAT,
    version: PROVE_VERSION,
    release: rest.release,
    commit: rest.commit,
    startedAt: rest.startedAt,
    finishedAt: rest.finishedAt,
    durationMs: rest.durationMs,
    interrupted: rest.interrupted,
    summary: score(sorted),
    databases,
    notes: [...rest.notes].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line),
    mutants: sorted,
  };
};

export const serializeProve = (results: ProveResults): string => `${JSON.stringify(results, null, 2)}\n`;

/** Reads a prove.json back (for diff); @throws Error with a plain message when it is not one. */
export const parseProve = (text: string, file: string): ProveResults => {
  const value = JSON.parse(text) as Partial<ProveResults>;
  if (value.format !== PROVE_FORMAT || value.version !== PROVE_VERSION) throw new Error(`${file} is not a dbspec prove.json (version ${PROVE_VERSION})`);
  return value as ProveResults;
};
