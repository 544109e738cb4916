/**
 * `dbspec new NAME|PATH [--db auth,backend] [--dir specs]`: writes a commented starter spec that validates and
 * passes as it is, with the `$schema` line editors use for completion. Never overwrites a file.
 */
import { access, mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, relative, resolve } from 'node:path';
import { specsFolder } from '../config.ts';
import { didYouMean } from '../spec/suggest.ts';
import type { Command } from './command.ts';
import { CONFIG_OPTION } from './shared-options.ts';
import { commandConfig, fail, usage } from './command-output.ts';
import { BASE_SCHEMA, schemaLineTarget, writeProjectSchema } from './project-schema.ts';
import { packagePath } from '../package-files.ts';

/** "Users can log in!" -> "users_can_log_in", the way the seed specs are named. */
export const fileSlug = (name: string): string =>
  name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 80);

/** A spec's `name:` reads as a sentence: `user-login` becomes "user login". */
const specTitle = (name: string): string => (/\s/.test(name) ? name.trim() : name.replace(/[-_]+/g, ' ').trim());

/** YAML plain scalars cannot start with some characters or hold `: ` / ` #`; quote those. */
const yamlText = (text: string): string =>
  /^[A-Za-z0-9][^:#{}[\],&*!|>'"%@`]*$/.test(text) && !/\s$/.test(text) && !/^(true|false|null|yes|no|on|off|~)$/i.test(text) ? text : JSON.stringify(text);

const stepFor = (db: string, first: boolean): string =>
  first
    ? `  - name: the ${db} database answers   # what this step checks; unique within this spec
    db: ${db}                          # which database: one of dbspec.config.yaml's
    sql: select \${item_id}::uuid as id, 'hello' as greeting
    expect:
      # The rows that must come back (any order; only the columns written here are compared).
      # Not sure what comes back? Write \`rows: []\` and run \`dbspec run --update\`: it fills them in.
      rows:
        - { id: "\${item_id}", greeting: hello }
`
    : `  - name: the ${db} database answers too
    db: ${db}
    sql: select count(*) as n from pg_class where relname = 'no_such_table'
    expect:
      rows: [ { n: 0 } ]
`;

/** The authoring guide, shipped with the package. */
export const GUIDE = packagePath('specs/README.md');

/** The starter's text. `schemaPath` is relative to the spec's folder; `guide` is as the user finds it from the project root. */
export const starterSpec = (name: string, databases: readonly string[], schemaPath: string, guide: string): string => {
  const first = databases[0]!;
  return `# yaml-language-server: $schema=${schemaPath}
# A dbspec spec: what must hold in the databases, written as SQL and the rows it returns.
# Guide:   ${guide}
# Check:   npx dbspec validate <this file>
# Run:     npx dbspec run <this file>
# Explain: npx dbspec explain <this file>   (what will be sent, without running)

name: ${yamlText(specTitle(name))}   # what this spec proves, in a sentence; unique across all specs
description: >
  Say here, in plain words, what must hold and why it matters.
tags: [draft]                      # words to select specs with \`dbspec run --tag draft\`

vars:                              # values used as \${name} in SQL and in expected rows
  item_id: \${uuid}                 # a fresh random UUID for every run

# setup:                           # SQL run before the steps; if it fails, the steps are skipped
#   - db: ${first}
#     sql: insert into my_table (id, title) values (\${item_id}, 'first')

steps:                             # the checks, in order
${databases.map((db, i) => stepFor(db, i === 0)).join('\n')}
# cleanup:                         # runs after the steps, always: delete every row setup inserted
#   - db: ${first}
#     sql: delete from my_table where id = \${item_id}
`;
};

/**
 * NAME is a sentence ("users can log in") or a path (`specs/auth/login`, `/tmp/probe.spec.yaml`): a path
 * keeps its folder (relative to the working directory, not --dir) and its last part names the spec.
 */
export const specTarget = (name: string, dir: string, cwd: string): { readonly file: string; readonly title: string } | undefined => {
  // A sentence may hold a slash ("tenant isolation / RLS"); a path has no spaces, or is absolute, or names a file.
  const isPath = isAbsolute(name) || name.endsWith('.yaml') || (/[\\/]/.test(name) && !/\s/.test(name));
  const base = isPath ? basename(name).replace(/(\.spec)?\.ya?ml$/, '') : name;
  const slug = fileSlug(base);
  if (slug === '') return undefined;
  return { file: resolve(cwd, isPath ? dirname(name) : dir, `${slug}.spec.yaml`), title: base };
};

const exists = async (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

export const newCommand: Command = {
  name: 'new',
  summary: 'Write a commented starter spec to fill in.',
  usage: 'dbspec new NAME|PATH [--db auth,backend] [--dir DIR]',
  options: {
    db: { type: 'string', value: 'NAMES', description: 'The databases the spec uses, comma-separated (default: the first configured one).' },
    dir: { type: 'string', short: 'd', value: 'DIR', description: "The folder to write the spec to (default: the config's `specs:` folder)." },
    config: CONFIG_OPTION,
  },
  run: async ({ values, positionals }) => {
    if (positionals.length !== 1) return fail([usage('give the spec a name, e.g. dbspec new "users can log in"')]);
    const name = positionals[0]!;
    const cwd = process.cwd();
    if (!specTarget(name, cwd, cwd)) return fail([usage(`'${name}' has no letters or digits to name a file after`)]);
    const { config, diagnostics } = await commandConfig(values);
    if (!config) return fail(diagnostics);
    const known = config.databases.map((d) => d.name);
    const wanted =
      typeof values.db === 'string'
        ? values.db
            .split(',')
            .map((d) => d.trim())
            .filter(Boolean)
        : known.slice(0, 1);
    const unknown = wanted.filter((d) => !known.includes(d));
    if (unknown.length > 0 || wanted.length === 0) {
      return fail(
        unknown
          .map((d) => usage(`database \`${d}\` is not configured${didYouMean(d, known)} (configured: ${known.join(', ')})`))
          .concat(wanted.length === 0 ? [usage('--db names no database')] : []),
      );
    }
    const target = specTarget(name, typeof values.dir === 'string' ? resolve(cwd, values.dir) : specsFolder(config), cwd);
    if (!target) return fail([usage(`'${name}' has no letters or digits to name a file after`)]);
    const { file } = target;
    const shown = relative(cwd, file).split('\\').join('/');
    if (await exists(file)) return fail([usage(`${shown} already exists; choose another name or edit that file`)]);
    // The project's schema knows the configured databases; should it not be writable, the generic one still helps.
    const schema = await writeProjectSchema(config).catch(() => BASE_SCHEMA);
    await mkdir(dirname(file), { recursive: true });
    const guide = relative(cwd, GUIDE).split('\\').join('/');
    await writeFile(file, starterSpec(target.title, [...new Set(wanted)], schemaLineTarget(dirname(file), schema), guide), { flag: 'wx' });
    process.stdout.write(`wrote ${shown}\nnext: edit it, then  npx dbspec validate ${shown}  and  npx dbspec run ${shown}\n`);
    return 0;
  },
};
