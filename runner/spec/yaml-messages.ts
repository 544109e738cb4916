/**
 * The YAML parser's own words for the mistakes spec authors make most ("All mapping items must start at the
 * same column", "please use YAML.parseAllDocuments()"), said in plain words, located at the line that is off
 * and with the fix shown. Pure text work on the file as written; anything not recognised keeps the parser's
 * message.
 */
import { plural } from '../wording.ts';
import type { ProblemCode } from '../error-codes.ts';

export type PlainProblem = {
  readonly code: ProblemCode;
  readonly message: string;
  /** Character offset the message points at. */
  readonly offset: number;
  /** Where the underline ends (exclusive), on the same line. */
  readonly endOffset?: number;
  readonly hint?: string;
};

type KeyLine = { readonly start: number; readonly column: number; readonly key: string; readonly text: string };

/** Line `index` (0-based) of `lines` as a `key:` line: the key and the column it starts at (1-based). */
const keyLine = (lines: readonly string[], index: number, starts: readonly number[]): KeyLine | undefined => {
  const text = lines[index];
  if (text === undefined) return undefined;
  const m = /^( *)(- +)?([^\s:#'"{[-][^:#]*?|"[^"]*"|'[^']*'):(?:\s|$)/.exec(text);
  if (!m) return undefined;
  const column = m[1]!.length + (m[2]?.length ?? 0) + 1;
  return { start: starts[index]! + column - 1, column, key: m[3]!, text };
};

const blankOrComment = (line: string): boolean => /^\s*(#.*)?$/.test(line);

const lineStarts = (lines: readonly string[]): number[] => {
  const starts: number[] = [];
  let at = 0;
  for (const line of lines) {
    starts.push(at);
    at += line.length + 1;
  }
  return starts;
};

const spaces = (n: number): string => `${plural(n, 'space')}`;

/** A key line that lines up with no key above it; `reference` is the nearest key line above. */
const misaligned = (culprit: KeyLine, reference: KeyLine, listItemAtColumn: boolean): PlainProblem => {
  const shift = reference.column - culprit.column;
  const moved = `${' '.repeat(reference.column - 1)}${culprit.text.trimStart()}`;
  return {
    code: 'DBSPEC_YAML_INDENT',
    message: `\`${culprit.key}:\` is not lined up with \`${reference.key}:\` above it: it starts at column ${culprit.column}, \`${reference.key}:\` at column ${reference.column}`,
    offset: culprit.start,
    endOffset: culprit.start + culprit.key.length + 1,
    hint:
      `keys of the same map must start at the same column. If \`${culprit.key}:\` belongs with \`${reference.key}:\`, ` +
      `move it ${spaces(Math.abs(shift))} ${shift > 0 ? 'right' : 'left'}:\n${reference.text}\n${moved}` +
      (listItemAtColumn ? `\nIf it starts a new item of the list above, write \`- \` before it: \`- ${culprit.text.trimStart()}\`` : ''),
  };
};

const lineIndexAt = (starts: readonly number[], offset: number): number => {
  let index = 0;
  while (index + 1 < starts.length && starts[index + 1]! <= offset) index++;
  return index;
};

/** The nearest key line before `index` (blank and comment lines skipped). */
const keyAbove = (lines: readonly string[], starts: readonly number[], index: number): KeyLine | undefined => {
  for (let i = index - 1; i >= 0; i--) {
    if (blankOrComment(lines[i]!)) continue;
    return keyLine(lines, i, starts);
  }
  return undefined;
};

const keyBelow = (lines: readonly string[], starts: readonly number[], index: number): { line: KeyLine; index: number } | undefined => {
  for (let i = index + 1; i < lines.length; i++) {
    if (blankOrComment(lines[i]!)) continue;
    const line = keyLine(lines, i, starts);
    return line ? { line, index: i } : undefined;
  }
  return undefined;
};

const indentation = (lines: readonly string[], starts: readonly number[], code: string, offset: number): PlainProblem | undefined => {
  const index = lineIndexAt(starts, offset);
  if (code === 'BLOCK_AS_IMPLICIT_KEY') {
    // `sql: select 1` followed by a key indented deeper: YAML reads that key as part of the value above.
    const above = keyLine(lines, index, starts);
    const below = keyBelow(lines, starts, index);
    return above && below && below.line.column > above.column ? misaligned(below.line, above, false) : undefined;
  }
  const culprit = keyLine(lines, index, starts);
  const reference = keyAbove(lines, starts, index);
  if (!culprit || !reference || culprit.column === reference.column) return undefined;
  // An item above starts with this very key at this column (`- name: ...`): the line may be the next item, without its dash.
  const item = `${' '.repeat(culprit.column - 1)}- ${culprit.key}:`;
  return misaligned(
    culprit,
    reference,
    lines.slice(0, index).some((line) => line.startsWith(item)),
  );
};

const secondDocument = (offset: number): PlainProblem => ({
  code: 'DBSPEC_YAML_MULTIPLE_DOCUMENTS',
  message: 'a spec file holds one spec, but this `---` line starts a second one',
  offset,
  endOffset: offset + 3,
  hint: 'move what follows into a file of its own (for example `second.spec.yaml`), or delete the `---` line if it does not start a new spec',
});

/** A plain-words version of a YAML parser problem, or undefined to keep the parser's message. */
export const plainYamlProblem = (text: string, code: string, offset: number): PlainProblem | undefined => {
  if (code === 'MULTIPLE_DOCS') {
    const at = text.lastIndexOf('\n---', offset) + 1;
    return secondDocument(text.startsWith('---', offset) ? offset : at);
  }
  if (code !== 'BAD_INDENT' && code !== 'MISSING_CHAR' && code !== 'BLOCK_AS_IMPLICIT_KEY') return undefined;
  const lines = text.split('\n');
  return indentation(lines, lineStarts(lines), code, offset);
};
