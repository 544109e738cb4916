/** Durations as written in specs: a whole number and a unit, `250ms`, `5s`, `2m`. */
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000 };

/** Milliseconds, or undefined when the text is not a duration. */
export const parseDuration = (text: string): number | undefined => {
  const m = /^([0-9]+)(ms|s|m)$/.exec(text);
  return m ? Number(m[1]) * UNIT_MS[m[2]!]! : undefined;
};
