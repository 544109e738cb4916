/**
 * A row written in block style with comments inside it keeps them when `--update` rewrites it: the new row is
 * written in block style too, each comment above (or at the end of the line of) the key it was written with.
 * Rows without comments are written as one-line flow maps, as before.
 */
import { isMap, isScalar, type Node as YamlNode } from 'yaml';
import { keyText } from '../spec/load.ts';

export type RowComments = {
  /** Comment lines written above a key (inside the row), by key. */
  readonly above: ReadonlyMap<string, readonly string[]>;
  /** The comment at the end of a key's line, with the spaces before it, by key. */
  readonly inline: ReadonlyMap<string, string>;
};

const lineEnd = (text: string, offset: number): number => {
  const eol = text.indexOf('\n', offset);
  return eol === -1 ? text.length : eol;
};

/** The comments inside an old block-style row, or undefined when it has none (or is a flow map). */
export const rowComments = (text: string, row: unknown): RowComments | undefined => {
  if (!isMap(row) || row.flow) return undefined;
  const above = new Map<string, string[]>();
  const inline = new Map<string, string>();
  let previousEnd: number | undefined;
  for (const pair of row.items) {
    const key = keyText(pair.key);
    const keyNode = pair.key as YamlNode | null;
    if (key === undefined || !keyNode?.range) continue;
    if (previousEnd !== undefined) {
      const between = text.slice(lineEnd(text, previousEnd), keyNode.range[0]);
      const lines = between
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l.startsWith('#'));
      if (lines.length > 0) above.set(key, lines);
    }
    const value = pair.value as YamlNode | null;
    const end = value?.range ? value.range[1] : keyNode.range[1];
    const tail = /^([ \t]*#.*)$/.exec(text.slice(end, lineEnd(text, end)));
    if (tail && (!isScalar(value) || !String(value.source ?? '').includes('\n'))) inline.set(key, tail[1]!);
    previousEnd = end;
  }
  return above.size === 0 && inline.size === 0 ? undefined : { above, inline };
};

/**
 * The row in block style: each cell's `key: value` line (`cells` pairs the key as written in the old row with it), with the old comments put back, joined by newlines (the caller
 * indents the lines after the first). Comments of keys no longer written go at the end.
 */
export const blockRow = (cells: readonly (readonly [key: string, line: string])[], comments: RowComments): string => {
  const written = new Set(cells.map(([key]) => key));
  const lines = cells.flatMap(([key, line], i) => [...(i > 0 ? (comments.above.get(key) ?? []) : []), `${line}${comments.inline.get(key) ?? ''}`]);
  const dropped = [...comments.above, ...comments.inline]
    .filter(([key]) => !written.has(key))
    .flatMap(([, c]) => (Array.isArray(c) ? c : [(c as string).trim()]));
  // A comment above what is now the first key cannot go above the `- `: it follows that key's line.
  const first = cells[0] ? (comments.above.get(cells[0][0]) ?? []) : [];
  return [...lines.slice(0, 1), ...first, ...lines.slice(1), ...dropped].join('\n');
};
