/**
 * Diagnostics -> text for a terminal: `file:line:col: message [CODE]`, a short code frame with a caret under
 * the column, and the hint.
 */
import pc from 'picocolors';
import { colorsFor, type Colors } from '../color.ts';
import { type Diagnostic, locationText } from '../diagnostics.ts';
import { redactSourceLine } from '../redact.ts';
import { readRegularFile } from './regular-file.ts';

/** No colour unless asked for: the text stays plain in files, tests and pipes. */
const PLAIN = pc.createColors(false);

const frame = (source: string, line: number, column: number, c: Colors, endColumn?: number): string[] => {
  const lines = source.split(/\r?\n/);
  if (line < 1 || line > lines.length) return [];
  const from = Math.max(1, line - 1);
  const width = String(line).length;
  const out: string[] = [];
  for (let n = from; n <= line; n++) {
    const text = redactSourceLine(lines[n - 1]!.replace(/\t/g, ' '));
    const shown = text.length > 200 ? `${text.slice(0, 200)}…` : text;
    out.push(`${n === line ? '>' : ' '} ${String(n).padStart(width)} | ${shown}`);
  }
  const caretColumn = Math.min(Math.max(column, 1), 201);
  // A range on the line is underlined whole (`expect:` as written), a point gets one caret.
  const carets = endColumn !== undefined && endColumn > caretColumn ? Math.min(endColumn - caretColumn, 80) : 1;
  out.push(`  ${' '.repeat(width)} | ${' '.repeat(caretColumn - 1)}${c.bold(c.red('^'.repeat(carets)))}`);
  return out;
};

export const formatDiagnostic = (d: Diagnostic, source: (file: string) => string | undefined, options?: { colors?: Colors }): string => {
  const c = options?.colors ?? PLAIN;
  const where = d.location ? `${locationText(d.location)}: ` : '';
  const lines = [`${c.bold(where)}${c.red(d.message)} ${c.dim(`[${d.code}]`)}`];
  if (d.location) {
    const text = source(d.location.file);
    const { line, column, endLine, endColumn } = d.location;
    if (text !== undefined) lines.push(...frame(text, line, column, c, endLine === line ? endColumn : undefined));
  }
  // A hint of several lines (a corrected snippet) is indented under its first line.
  if (d.hint) lines.push(`  ${c.cyan('hint:')} ${d.hint.split('\n').join('\n        ')}`);
  return lines.join('\n');
};

const byPlace = (a: Diagnostic, b: Diagnostic): number => {
  const fa = a.location?.file ?? '';
  const fb = b.location?.file ?? '';
  if (fa !== fb) return fa < fb ? -1 : 1;
  return (a.location?.line ?? 0) - (b.location?.line ?? 0) || (a.location?.column ?? 0) - (b.location?.column ?? 0);
};

/** Reads the files named by the diagnostics (small ones only) and formats them all, sorted by file and line. */
export const formatDiagnostics = async (ds: readonly Diagnostic[]): Promise<string> => {
  const files = new Map<string, string | undefined>();
  for (const d of ds) {
    const file = d.location?.file;
    if (file === undefined || files.has(file)) continue;
    try {
      // Never a plain readFile: the file may be a named pipe (see regular-file.ts).
      const text = (await readRegularFile(file, 5 * 1024 * 1024)).bytes;
      files.set(file, text === undefined || text.includes(0) ? undefined : text.toString('utf8'));
    } catch {
      files.set(file, undefined);
    }
  }
  const colors = colorsFor(process.stderr);
  return [...ds]
    .sort(byPlace)
    .map((d) => formatDiagnostic(d, (f) => files.get(f), { colors }))
    .join('\n\n');
};
