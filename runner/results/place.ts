/**
 * Places in results: a SourceLocation from the spec model becomes the Place results.json keeps. Readers use
 * the Place; the `location` text beside it stays for people and for tools that read results.json today.
 */
import { locationText, type SourceLocation } from '../diagnostics.ts';
import type { Place, StepResult } from './types.ts';

export const placeOf = (loc: SourceLocation): Place => ({
  file: loc.file,
  line: loc.line,
  col: loc.column,
  ...(loc.via ? { via: placeOf(loc.via) } : {}),
});

/** `location` and `at` of a failure (or step) at `loc`, to spread into it. */
export const placed = (loc: SourceLocation): { location: string; at: Place } => ({ location: locationText(loc), at: placeOf(loc) });

const ONE_PLACE = /^(.*):(\d+):(\d+)$/;

/**
 * The Place a `location` text names; undefined for text without a line (or none). Only for places that
 * arrive as text alone: results.json files written before `at` existed, and failures built where only the
 * text is at hand (execute/bounded.ts, run-spec.ts and steps/ still build `location: where(...)`).
 */
const placeFromText = (text: string | undefined): Place | undefined => {
  if (!text) return undefined;
  const parts = text.split(' → ');
  let place: Place | undefined;
  for (const part of parts) {
    const m = ONE_PLACE.exec(part);
    if (!m) return undefined;
    place = { file: m[1]!, line: Number(m[2]), col: Number(m[3]), ...(place ? { via: place } : {}) };
  }
  return place;
};

/** Where a spec, step or failure is: its `at`, or (in results written before `at` existed) its `location` read back. */
export const placeIn = (item: { readonly at?: Place; readonly location?: string }): Place | undefined => item.at ?? placeFromText(item.location);

/** The item with `at` beside its `location`, read from the text where its producer gave only that. */
const withAt = <T extends { readonly at?: Place; readonly location?: string }>(item: T): T => {
  const at = item.at ? undefined : placeIn(item);
  return at ? { ...item, at } : item;
};

/** The step with `at` beside its `location` and its failure's, as every run writes them. */
export const stepPlaced = (step: StepResult): StepResult => {
  const placedStep = withAt(step);
  return step.failure ? { ...placedStep, failure: withAt(step.failure) } : placedStep;
};
