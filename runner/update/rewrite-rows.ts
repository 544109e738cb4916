/**
 * Replacing the `rows:` of one expectation in a spec's text, and nothing else: the YAML document only tells
 * where the old rows are; the new rows are spliced into the original text, so every other byte (comments,
 * key order, quoting, blank lines) stays as it was.
 */
import { isMap, isPair, isScalar, isSeq, type Document, type Node as YamlNode, type YAMLMap, type YAMLSeq } from 'yaml';
import { keyText } from '../spec/load.ts';

export type TextEdit = { readonly start: number; readonly end: number; readonly replacement: string };

/** The map node that starts at `offset` (an `expect:` value, located by the spec model). */
export const mapAt = (doc: Document.Parsed, offset: number): YAMLMap | undefined => {
  let found: YAMLMap | undefined;
  const visit = (node: unknown, depth: number): void => {
    if (found || depth > 64) return;
    if (isMap(node)) {
      if (node.range?.[0] === offset) found = node;
      for (const pair of node.items) visit(pair.value, depth + 1);
    } else if (isSeq(node)) for (const item of node.items) visit(item, depth + 1);
  };
  visit(doc.contents, 0);
  return found;
};

export const rowsPairOf = (expect: YAMLMap) => expect.items.find((p) => isPair(p) && keyText(p.key) === 'rows');

/** Column of an offset: characters since the last newline. */
const columnOf = (text: string, offset: number): number => offset - (text.lastIndexOf('\n', offset - 1) + 1);

/** Indentation of the line holding `offset`. */
const lineIndent = (text: string, offset: number): number => {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  let i = start;
  while (text[i] === ' ') i++;
  return i - start;
};

/**
 * The edit that makes `rows:` hold `rows` (each a flow map's text). A block list stays a block list; `rows: []`
 * in a block map becomes a block list under the key; inside a flow map (`expect: { rows: [] }`) the list stays
 * a flow list, one row per line when it does not fit on one.
 */
export const rowsEdit = (text: string, expect: YAMLMap, rows: readonly string[]): TextEdit | string => {
  const pair = rowsPairOf(expect);
  if (!pair) return 'the expectation has no `rows:`';
  const value = pair.value as YamlNode | null;
  const key = pair.key as YamlNode;
  if (!value || !isSeq(value) || !value.range || !key.range) return '`rows:` is not a list';
  const seq = value as YAMLSeq;
  const [start, end] = seq.range as [number, number, number];
  const keyColumn = columnOf(text, key.range[0]);
  if (!seq.flow) {
    if (rows.length === 0) return { start: text.indexOf(':', key.range[1]) + 1, end: trimEnd(text, end), replacement: ' []' };
    const indent = ' '.repeat(columnOf(text, start));
    // A block-style row (several lines) is indented under its `- `.
    return { start, end: trimEnd(text, end), replacement: rows.map((r) => `- ${r.replaceAll('\n', `\n${indent}  `)}`).join(`\n${indent}`) };
  }
  if (rows.length === 0) return { start, end, replacement: '[]' };
  if (!expect.flow) {
    const indent = ' '.repeat(keyColumn + 2);
    return { start: text.indexOf(':', key.range[1]) + 1, end, replacement: rows.map((r) => `\n${indent}- ${r}`).join('') };
  }
  const oneLine = `[ ${rows.join(', ')} ]`;
  if (columnOf(text, start) + oneLine.length <= 110) return { start, end, replacement: oneLine };
  const indent = ' '.repeat(lineIndent(text, start) + 2);
  return { start, end, replacement: `[\n${rows.map((r) => `${indent}${r}`).join(',\n')}\n${indent}]` };
};

/** A block node's range ends after its last line break; the edit keeps that break. */
const trimEnd = (text: string, end: number): number => {
  let e = end;
  while (e > 0 && (text[e - 1] === '\n' || text[e - 1] === '\r' || text[e - 1] === ' ')) e--;
  return e;
};

/** Applies non-overlapping edits, last first so that offsets stay valid. */
export const applyEdits = (text: string, edits: readonly TextEdit[]): string =>
  [...edits].sort((a, b) => b.start - a.start).reduce((out, e) => out.slice(0, e.start) + e.replacement + out.slice(e.end), text);

/** The source text of a node (to keep an expected cell as written). */
export const sourceOf = (text: string, node: unknown): string | undefined => {
  const range = (node as YamlNode | undefined)?.range;
  return range && (isScalar(node) || isMap(node) || isSeq(node)) ? text.slice(range[0], range[1]).trim() : undefined;
};
