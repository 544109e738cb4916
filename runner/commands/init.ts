/**
 * `dbspec init [--db NAME,NAME] [--migrations DIR]`: sets up dbspec in an existing project, in the working
 * directory. Asks nothing (it runs in scripts) and never overwrites a file: what exists is left alone and
 * said so; .gitignore gets a line appended and .vscode/settings.json its schema mapping merged in.
 */
import { access, appendFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { CONFIG_FILE, DEFAULT_OUTPUT, DEFAULT_SPECS } from '../config.ts';
import type { Command } from './command.ts';
import { fail, usage } from './command-output.ts';
import { schemaLineTarget, writeProjectSchema } from './project-schema.ts';
import { configText, editorSchemas, type InitChoices, workflowText } from './init-files.ts';
import { GUIDE, starterSpec } from './new.ts';
import { packagePath } from '../package-files.ts';

const SCHEMA_DIR = packagePath('schema/');
const DATABASE_NAME = /^[a-z_][a-z0-9_]*$/;
const STARTER = 'getting_started.spec.yaml';

const posix = (path: string): string => path.split('\\').join('/');
const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

/** One line per file: what init did with it. */
type Outcome = { readonly file: string; readonly did: 'wrote' | 'kept' | 'updated' | 'skipped'; readonly why?: string };

const writeNew = async (root: string, file: string, text: string): Promise<Outcome> => {
  const path = join(root, file);
  if (await exists(path)) return { file, did: 'kept', why: 'exists, left as it is' };
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text, { flag: 'wx' });
  return { file, did: 'wrote' };
};

/** Appends the output folder to .gitignore unless a line already names it. */
const ignoreOutput = async (root: string, output: string): Promise<Outcome> => {
  const path = join(root, '.gitignore');
  const text = await readFile(path, 'utf8').catch(() => undefined);
  const line = `${output.replace(/\/+$/, '')}/`;
  const lines = (text ?? '').split(/\r?\n/).map((l) => l.trim().replace(/^\//, ''));
  if (lines.includes(line) || lines.includes(line.slice(0, -1))) return { file: '.gitignore', did: 'kept', why: `already ignores ${line}` };
  await appendFile(path, `${text && !text.endsWith('\n') ? '\n' : ''}# dbspec results and reports\n${line}\n`);
  return { file: '.gitignore', did: text === undefined ? 'wrote' : 'updated' };
};

/** Adds dbspec's `yaml.schemas` entries to .vscode/settings.json; a file with comments is not rewritten. */
const mapSchemas = async (root: string, choices: InitChoices): Promise<Outcome> => {
  const file = '.vscode/settings.json';
  const path = join(root, file);
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (text === undefined) return writeNew(root, file, `${JSON.stringify({ 'yaml.schemas': editorSchemas(choices) }, null, 2)}\n`);
  let settings: Record<string, unknown>;
  try {
    settings = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { file, did: 'skipped', why: `not plain JSON (comments?); add to "yaml.schemas": ${JSON.stringify(editorSchemas(choices))}` };
  }
  const schemas = { ...(settings['yaml.schemas'] as Record<string, unknown> | undefined) };
  const missing = Object.entries(editorSchemas(choices)).filter(([key]) => !(key in schemas));
  if (missing.length === 0) return { file, did: 'kept', why: 'already maps the dbspec schemas' };
  const indent = /^[ \t]+/m.exec(text)?.[0] ?? '  ';
  await writeFile(path, `${JSON.stringify({ ...settings, 'yaml.schemas': { ...schemas, ...Object.fromEntries(missing) } }, null, indent)}\n`);
  return { file, did: 'updated' };
};

/** --db and --migrations -> the choices, or the usage mistake. One folder for several databases holds one subfolder each. */
const choicesFrom = async (root: string, values: Record<string, unknown>): Promise<InitChoices | string> => {
  const databases = typeof values.db === 'string' ? [...new Set(values.db.split(',').map((d) => d.trim()))].filter(Boolean) : ['app'];
  const bad = databases.find((d) => !DATABASE_NAME.test(d));
  if (databases.length === 0) return '--db names no database';
  if (bad !== undefined) return `--db: \`${bad}\` is not a database name (lower-case letters, digits and _, e.g. app or billing)`;
  const migrations = new Map<string, string>();
  if (typeof values.migrations === 'string') {
    const dir = resolve(process.cwd(), values.migrations);
    if (
      !(await stat(dir).then(
        (s) => s.isDirectory(),
        () => false,
      ))
    )
      return `--migrations ${values.migrations}: no such folder`;
    for (const name of databases) migrations.set(name, posix(relative(root, databases.length === 1 ? dir : join(dir, name))) || '.');
  }
  return { databases, migrations, specs: DEFAULT_SPECS, output: DEFAULT_OUTPUT, schemaDir: posix(relative(root, SCHEMA_DIR)).replace(/\/$/, '') };
};

/** The three commands to type next. */
const NEXT = (specFile: string, database: string, output: string): string =>
  [
    'next:',
    `  npx dbspec run ${specFile}    # the starter spec, on an embedded PostgreSQL: passes as written`,
    `  npx dbspec new "my first check" --db ${database}    # a commented spec of your own to fill in`,
    `  npx dbspec run    # every spec; results and report.html in ${output}/`,
  ].join('\n');

export const initCommand: Command = {
  name: 'init',
  summary: 'Set up dbspec in this project: config, a starter spec, editor schema mapping, a CI workflow.',
  usage: 'dbspec init [--db NAME,NAME] [--migrations DIR]',
  options: {
    db: { type: 'string', value: 'NAMES', description: 'The databases specs will use, comma-separated (default: app).' },
    migrations: {
      type: 'string',
      value: 'DIR',
      description: 'Folder of NNN_name.sql migrations (for several databases, one subfolder per database).',
    },
  },
  run: async ({ values, positionals }) => {
    if (positionals.length > 0) return fail([usage(`init takes no paths (got ${positionals.join(' ')}); run it at the root of your project`)]);
    const root = process.cwd();
    const choices = await choicesFrom(root, values);
    if (typeof choices === 'string') return fail([usage(choices)]);
    const specFile = `${choices.specs}/${STARTER}`;
    const config = { root, databases: choices.databases.map((name) => ({ name })) };
    const configOutcome = await writeNew(root, CONFIG_FILE, configText(choices));
    // The project's schema knows its databases (see project-schema.ts); the package's schema is the fallback.
    const projectSchema = await writeProjectSchema(config).catch(() => undefined);
    const schemaPath = schemaLineTarget(join(root, choices.specs), projectSchema ?? join(SCHEMA_DIR, 'spec.schema.json'));
    const outcomes = [
      configOutcome,
      ...(projectSchema ? [{ file: posix(relative(root, projectSchema)), did: 'wrote' } as Outcome] : []),
      await writeNew(root, specFile, starterSpec('getting started', choices.databases, schemaPath, posix(relative(root, GUIDE)))),
      await mapSchemas(root, choices),
      await ignoreOutput(root, choices.output),
      await writeNew(root, '.github/workflows/dbspec.yml', workflowText(choices)),
    ];
    for (const o of outcomes) process.stdout.write(`${o.did.padEnd(8)} ${o.file}${o.why ? `  (${o.why})` : ''}\n`);
    process.stdout.write(`\n${NEXT(specFile, choices.databases[0]!, choices.output)}\n`);
    return 0;
  },
};
