/**
 * `dbspec merge A.json B.json ... --out DIR`: join shard results into one run, write its results.json and
 * render its reports.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../results/atomic-write.ts';
import { mergeResults } from '../results/merge.ts';
import { readResults, serializeResults } from '../results/read.ts';
import { writeRunReports } from '../report/render.ts';
import type { Command } from './command.ts';
import { reportFailure, shown, usageError } from './command-output.ts';
import { appendStepSummary, printAnnotations } from './ci-output.ts';
import { runAnnotations } from '../report/github.ts';
import { plural } from '../wording.ts';

const USAGE = 'dbspec merge A.json B.json ... --out DIR [--allow-partial]';

export const mergeCommand: Command = {
  name: 'merge',
  summary: 'Join shard results into one run and render its reports.',
  usage: USAGE,
  options: {
    out: { type: 'string', short: 'o', multiple: false, value: 'DIR', description: 'Folder for the merged results.json and its reports (required).' },
    'allow-partial': {
      type: 'boolean',
      description: 'Merge even when shards are missing or come from different selections (the merged run lists the missing shards).',
    },
  },
  run: async ({ values, positionals }) => {
    if (positionals.length === 0) return usageError('merge', 'expected results files to merge', USAGE);
    if (typeof values.out !== 'string') return usageError('merge', '--out DIR is required (the parts usually sit in different folders)', USAGE);
    try {
      const parts = await Promise.all(positionals.map((file) => readResults(file)));
      const merged = mergeResults(parts, { allowPartial: values['allow-partial'] === true });
      await mkdir(values.out, { recursive: true });
      const resultsFile = join(values.out, 'results.json');
      await writeFileAtomic(resultsFile, serializeResults(merged));
      const paths = await writeRunReports(merged, values.out);
      await appendStepSummary(await readFile(join(values.out, 'report.md'), 'utf8'));
      printAnnotations(() => runAnnotations(merged));
      const { specs } = merged.summary;
      process.stdout.write(
        `merged ${plural(parts.length, 'part')}: ${specs.total} specs (${specs.passed} passed, ${specs.failed} failed, ${specs.errored} errored, ${specs.skipped} skipped)${merged.interrupted ? ', interrupted' : ''}${merged.selection?.missingShards ? `, PARTIAL: missing shards ${merged.selection.missingShards.join(', ')}` : ''}\n` +
          `wrote ${[resultsFile, ...paths].map(shown).join(', ')}\n`,
      );
      return 0;
    } catch (error) {
      return reportFailure('merge', error);
    }
  },
};
