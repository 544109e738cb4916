/**
 * The leak half of `dbspec run --update`: every spec whose isolation check failed with a cleanup proposal
 * gets that cleanup written into its file, and a line says so.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { SpecResult } from '../results/types.ts';
import { appendCleanup } from './append-cleanup.ts';
import { plural } from '../wording.ts';

export type CleanupChange = { readonly file: string; readonly spec: string; readonly statements: number; readonly skipped?: string };

export const applyCleanupProposals = async (specs: readonly SpecResult[], cwd: string): Promise<CleanupChange[]> => {
  const changes: CleanupChange[] = [];
  for (const spec of specs) {
    const proposals = spec.steps.find((s) => s.phase === 'isolation')?.failure?.cleanup ?? [];
    if (proposals.length === 0) continue;
    const path = resolve(cwd, spec.file);
    const statements = proposals.reduce((n, p) => n + p.sql.split(';\n').length, 0);
    const edited = appendCleanup((await readFile(path)).toString('utf8'), spec.file, proposals);
    if ('skipped' in edited) changes.push({ file: spec.file, spec: spec.name, statements, skipped: edited.skipped });
    else {
      await writeFile(path, edited.text);
      changes.push({ file: spec.file, spec: spec.name, statements });
    }
  }
  return changes;
};

export const describeCleanupChanges = (changes: readonly CleanupChange[]): string =>
  changes.length === 0
    ? ''
    : `dbspec --update: cleanup added for leaked rows\n${changes
        .map((c) =>
          c.skipped
            ? `  not updated  ${c.file}  "${c.spec}": ${c.skipped}`
            : `  updated      ${c.file}  "${c.spec}": ${plural(c.statements, 'cleanup statement')} added`,
        )
        .join('\n')}\nRead the added cleanup: it deletes the rows this run left behind. Then run again without --update.\n`;
