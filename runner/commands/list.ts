/**
 * `dbspec list [paths...]`: the specs and their steps (name, kind, database), as text or JSON. Specs with
 * problems are reported on stderr and left out.
 */
import { exitCodeFor } from '../diagnostics.ts';
import { selectSpecs } from '../plan/select.ts';
import { formatDiagnostics } from '../spec/format-diagnostic.ts';
import { stepDatabases } from '../spec/step-kinds.ts';
import type { Spec, Step } from '../spec/types.ts';
import type { Command } from './command.ts';
import { fail, loadProject } from './command-output.ts';
import { CONFIG_OPTION, parseGrep, parseTags, SELECTION_OPTIONS } from './shared-options.ts';

export type ListedSpec = {
  readonly file: string;
  readonly line: number;
  readonly name: string;
  readonly tags: readonly string[];
  readonly databases: readonly string[];
  readonly steps: readonly { readonly name: string; readonly kind: Step['kind']; readonly db: string; readonly line: number }[];
};

const stepDb = (s: Step): string => stepDatabases(s).join(',');

export const listed = (spec: Spec): ListedSpec => ({
  file: spec.file,
  line: spec.loc.line,
  name: spec.name,
  tags: spec.tags,
  databases: spec.databases,
  steps: spec.steps.map((s) => ({ name: s.name, kind: s.kind, db: stepDb(s), line: s.loc.line })),
});

const asText = (specs: readonly ListedSpec[]): string =>
  specs
    .map((s) =>
      [
        `${s.file}:${s.line}  ${s.name}${s.tags.length > 0 ? `  [${s.tags.join(', ')}]` : ''}`,
        ...s.steps.map((st) => `  ${st.kind.padEnd(11)} ${st.db.padEnd(14)} ${st.name}`),
      ].join('\n'),
    )
    .join('\n');

export const listCommand: Command = {
  name: 'list',
  summary: 'List specs and their steps (name, kind, database).',
  usage: 'dbspec list [paths...] [--json] [--tag TAG[,TAG]]... [--grep REGEX] [--config FILE]',
  options: {
    json: { type: 'boolean', description: 'Print JSON instead of text.' },
    ...SELECTION_OPTIONS,
    config: CONFIG_OPTION,
  },
  run: async ({ values, positionals }) => {
    const grep = parseGrep(values.grep);
    if ('kind' in grep) return fail([grep]);
    const project = await loadProject(values, positionals);
    if ('configProblems' in project) return fail(project.configProblems);
    const { specs, diagnostics } = project;
    if (diagnostics.length > 0) process.stderr.write((await formatDiagnostics(diagnostics)) + '\n');
    const picked = selectSpecs(specs, { tags: parseTags(values.tag), ...grep }).map(listed);
    process.stdout.write(values.json ? JSON.stringify({ specs: picked }, null, 2) + '\n' : picked.length > 0 ? asText(picked) + '\n' : '');
    return exitCodeFor(diagnostics);
  },
};
