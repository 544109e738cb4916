/**
 * Known failures for the reports: what is skipped and why, todos that still fail (with their failure), and
 * todos that pass ("fixed: remove the todo"). Pure.
 */
import type { RunResults } from '../results/types.ts';

export type KnownItem = {
  readonly spec: string;
  readonly step?: string;
  /** skip, todo, or fixed (a todo that passes). */
  readonly kind: 'skip' | 'todo' | 'fixed';
  readonly text: string;
  readonly location: string;
};

const textOf = (known: { kind: 'skip' | 'todo'; reason: string; fixed?: boolean }, message?: string): string =>
  known.fixed ? `fixed: remove the todo (${known.reason})` : `${known.kind}: ${known.reason}${message ? ` (fails: ${message})` : ''}`;

export const knownItems = (results: RunResults): KnownItem[] =>
  results.specs.flatMap((spec): KnownItem[] => {
    // A whole-spec skip or todo is one line, not one per step.
    if (spec.known)
      return [
        {
          spec: spec.name,
          kind: spec.known.fixed ? 'fixed' : spec.known.kind,
          text: textOf(spec.known, spec.steps.find((s) => s.failure)?.failure?.message),
          location: spec.location,
        },
      ];
    return spec.steps.flatMap((step) =>
      step.known
        ? [
            {
              spec: spec.name,
              step: step.name,
              kind: step.known.fixed ? 'fixed' : step.known.kind,
              text: textOf(step.known, step.failure?.message),
              location: step.location,
            },
          ]
        : [],
    );
  });
