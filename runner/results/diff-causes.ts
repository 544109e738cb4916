/**
 * Why an outcome moved between two runs: the spec's files were edited ("spec edited"), or they were not and
 * the system behaved differently ("behaviour changed"), with the schema changes that plausibly explain it.
 */
import type { Cause, SpecEdit, StatusChange } from './diff.ts';
import { explains, type SchemaChange } from './schema-diff.ts';
import type { RunResults, StepResult } from './types.ts';

export const editedSpecs = (old: RunResults, next: RunResults): SpecEdit[] => {
  const before = new Map(old.specs.map((s) => [s.name, s]));
  return next.specs.flatMap((spec) => {
    const was = before.get(spec.name)?.source;
    const now = spec.source;
    if (!was || !now || was.fingerprint === now.fingerprint) return [];
    const hashes = new Map(was.files.map((f) => [f.path, f.sha256]));
    const files = [
      ...now.files.filter((f) => hashes.get(f.path) !== f.sha256).map((f) => f.path),
      ...was.files.filter((f) => !now.files.some((n) => n.path === f.path)).map((f) => f.path),
    ];
    return [{ spec: spec.name, file: spec.file, files }];
  });
};

export type Explained = { readonly schema: readonly SchemaChange[]; readonly edited: ReadonlySet<string>; readonly old: RunResults; readonly next: RunResults };

const stepOf = (run: RunResults, c: StatusChange): StepResult | undefined =>
  c.step === undefined ? undefined : run.specs.find((s) => s.name === c.spec)?.steps.find((s) => s.name === c.step && s.phase === c.phase);

export const withCause = (c: StatusChange, e: Explained): StatusChange => {
  const bothKnown = e.old.specs.find((s) => s.name === c.spec)?.source && e.next.specs.find((s) => s.name === c.spec)?.source;
  const cause: Cause | undefined = e.edited.has(c.spec) ? 'spec edited' : bothKnown ? 'behaviour changed' : undefined;
  const step = stepOf(e.next, c) ?? stepOf(e.old, c);
  const related = step ? relatedChanges(e.schema, step, c.to === 'passed' ? 'fixed' : 'failing') : [];
  return { ...c, ...(cause ? { cause } : {}), ...(related.length > 0 ? { schemaChanges: related } : {}) };
};

/**
 * The schema changes that plausibly explain a step's move, by index. What went away (or was redefined)
 * explains a new failure better than what was added, and the reverse for a fix: the likelier kind is named
 * alone when there is one.
 */
const relatedChanges = (schema: readonly SchemaChange[], step: StepResult, move: 'fixed' | 'failing'): number[] => {
  const matching = schema.flatMap((s, i) => (explains(s, step) ? [i] : []));
  const likely = matching.filter((i) => (move === 'failing' ? schema[i]!.change !== 'added' : schema[i]!.change !== 'removed'));
  return likely.length > 0 ? likely : matching;
};
