/**
 * `dbspec validate [paths...]`: every problem of every spec, with file:line:col and a code frame, without a
 * database. Diagnostics go to stderr, the one-line summary to stdout.
 */
import { checkSpecsOnDatabases } from '../db-check/check-specs.ts';
import { DbspecError, exitCodeFor } from '../diagnostics.ts';
import type { Diagnostic } from '../diagnostics.ts';
import { formatDiagnostics } from '../spec/format-diagnostic.ts';
import type { Command } from './command.ts';
import { CONFIG_OPTION } from './shared-options.ts';
import { fail, loadProject, shown } from './command-output.ts';
import { specsFolder } from '../config.ts';
import { plural } from '../wording.ts';

export const summaryLine = (diagnostics: readonly Diagnostic[], files: readonly string[]): string => {
  if (diagnostics.length === 0) return `${plural(files.length, 'spec')} valid`;
  const bad = new Set(diagnostics.flatMap((d) => (d.location ? [d.location.file] : [])));
  // Things named like specs that are not files (a pipe, a link loop) count among the files looked at.
  return `${plural(diagnostics.length, 'error')} in ${bad.size} of ${plural(new Set([...files, ...bad]).size, 'file')}`;
};

export const validateCommand: Command = {
  name: 'validate',
  summary: "Check specs against the schema and PostgreSQL's parser, without a database.",
  usage: 'dbspec validate [paths...] [--config FILE] [--db-check]',
  options: {
    config: CONFIG_OPTION,
    'db-check': {
      type: 'boolean',
      description: 'Then have the databases analyse every statement (PREPARE, nothing runs): unknown tables and columns at their line.',
    },
    'allow-shared': {
      type: 'boolean',
      description: "With --db-check: a spec's ALTER/DROP/CREATE INDEX may run (rolled back) on databases not marked disposable.",
    },
  },
  run: async ({ values, positionals }) => {
    const project = await loadProject(values, positionals);
    if ('configProblems' in project) return fail(project.configProblems);
    const { config, files, specs, diagnostics } = project;
    const paths = positionals.length > 0 ? positionals : [shown(specsFolder(config))];
    if (values['db-check'] === true && diagnostics.length === 0) {
      try {
        diagnostics.push(...(await checkSpecsOnDatabases(config, specs, { allowShared: values['allow-shared'] === true })));
      } catch (error) {
        if (!(error instanceof DbspecError)) throw error;
        return fail(error.diagnostics);
      }
    }
    if (diagnostics.length > 0) process.stderr.write((await formatDiagnostics(diagnostics)) + '\n\n');
    if (files.length === 0 && diagnostics.length === 0) {
      process.stderr.write(`dbspec validate: no *.spec.yaml files under ${paths.join(', ')}\n`);
      return 2;
    }
    process.stdout.write(summaryLine(diagnostics, files) + '\n');
    return exitCodeFor(diagnostics);
  },
};
