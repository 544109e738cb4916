/**
 * `dbspec run --update` after a leak: the proposed cleanup (see execute/cleanup-proposal.ts) spliced into the
 * spec's text. Blocks that must run first go before the spec's own cleanup items, the others after them; a
 * spec without `cleanup:` gets one at the end. Every other byte stays as written. Pure: text in, text out.
 */
import { isMap, isPair, isSeq, type Node as YamlNode, type YAMLSeq } from 'yaml';
import { cleanupItemYaml } from '../results/cleanup-yaml.ts';
import type { CleanupProposal } from '../results/types.ts';
import { keyText, parseYamlText } from '../spec/load.ts';
import { applyEdits, type TextEdit } from './rewrite-rows.ts';

const lineStart = (text: string, offset: number): number => text.lastIndexOf('\n', offset - 1) + 1;

/** End of the last non-blank line of a node (its range runs past the line break and trailing comments' blank lines). */
const contentEnd = (text: string, end: number): number => {
  let e = end;
  while (e > 0 && /[\s]/.test(text[e - 1]!)) e--;
  const eol = text.indexOf('\n', e);
  return eol === -1 ? text.length : eol;
};

const items = (proposals: readonly CleanupProposal[], indent: string): string => proposals.map((p) => `${indent}${cleanupItemYaml(p, indent)}`).join('\n');

/** The new text, or a sentence saying why the file was left alone. */
export const appendCleanup = (text: string, file: string, proposals: readonly CleanupProposal[]): { text: string } | { skipped: string } => {
  const { loaded } = parseYamlText(Buffer.from(text, 'utf8'), file);
  if (!loaded || !isMap(loaded.doc.contents)) return { skipped: 'the file no longer parses' };
  const pair = loaded.doc.contents.items.find((p) => isPair(p) && keyText(p.key) === 'cleanup');
  const value = pair?.value as YamlNode | null | undefined;
  const first = proposals.filter((p) => p.placement === 'first');
  const last = proposals.filter((p) => p.placement === 'last');
  if (!pair || value === null || value === undefined) {
    const ending = text.endsWith('\n') ? '' : '\n';
    const head = pair ? '' : 'cleanup:\n';
    const at = pair ? contentEnd(text, (pair.key as YamlNode).range![1]) : text.length;
    const body = `${pair ? '\n' : ''}${items([...first, ...last], '  ')}`;
    return { text: pair ? text.slice(0, at) + body + text.slice(at) : `${text}${ending}${head}${body}\n` };
  }
  if (!isSeq(value) || (value as YAMLSeq).flow || !value.range || (value as YAMLSeq).items.length === 0)
    return { skipped: '`cleanup:` is not a block list (`- db: ...` items); add the proposed cleanup by hand' };
  const seq = value as YAMLSeq;
  const itemStart = lineStart(text, seq.range![0]);
  const indent = ' '.repeat(seq.range![0] - itemStart);
  const edits: TextEdit[] = [];
  if (first.length > 0) edits.push({ start: itemStart, end: itemStart, replacement: `${items(first, indent)}\n` });
  if (last.length > 0) {
    const at = contentEnd(text, (seq.items.at(-1) as YamlNode).range![1]);
    edits.push({ start: at, end: at, replacement: `\n${items(last, indent)}` });
  }
  const updated = applyEdits(text, edits);
  const check = parseYamlText(Buffer.from(updated, 'utf8'), file);
  if (!check.loaded || check.diagnostics.length > 0) return { skipped: `the file would not parse after the change (${check.diagnostics[0]?.message ?? '?'})` };
  return { text: updated };
};
