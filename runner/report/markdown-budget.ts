/**
 * GitHub's job summary takes at most 1 MiB of Markdown per step. A report that would be larger is rendered
 * again with less detail (the caller decides what each level of limits leaves out) until it fits, and the
 * template says what was cut. Sizes are UTF-8 bytes, as GitHub counts them.
 */
export const MARKDOWN_BUDGET_BYTES = 1_000_000;

/** How many items of each list to render in full; Infinity means all. */
export type MarkdownLimits = { readonly details: number; readonly rows: number };

const LEVELS: readonly MarkdownLimits[] = [
  { details: Infinity, rows: Infinity },
  { details: 200, rows: 2000 },
  { details: 50, rows: 500 },
  { details: 10, rows: 100 },
  { details: 0, rows: 20 },
];

export const fitMarkdown = (render: (limits: MarkdownLimits) => string, budget: number = MARKDOWN_BUDGET_BYTES): string => {
  let text = '';
  for (const limits of LEVELS) {
    text = render(limits);
    if (Buffer.byteLength(text) <= budget) return text;
  }
  // Even the smallest level is too big (e.g. one enormous value): cut at a line end and say so.
  const note = '\n\n> **Truncated:** this summary was cut to fit the 1 MB limit; see report.html for everything.\n';
  const cut = Buffer.from(text)
    .subarray(0, budget - Buffer.byteLength(note))
    .toString('utf8')
    .replace(/\uFFFD$/, '');
  return cut.slice(0, Math.max(0, cut.lastIndexOf('\n'))) + note;
};

/** The first `n` items of a list, and how many were left out. */
export const limit = <T>(items: readonly T[], n: number): { readonly items: readonly T[]; readonly omitted: number } => ({
  items: n >= items.length ? items : items.slice(0, n),
  omitted: Math.max(0, items.length - n),
});
