/**
 * The project's own spec schema, for editors: schema/spec.schema.json with the databases of the config as
 * the only values `db:` takes, so the editor offers them and flags a typo as it is typed. Written by
 * `dbspec init`, `dbspec schema` and `dbspec new` to `.dbspec/spec.schema.json` beside the config. Commit it
 * with the config, so that a fresh clone has it; `dbspec schema` writes it again after the databases change.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import type { Config } from '../config.ts';
import { packagePath } from '../package-files.ts';

export const BASE_SCHEMA = packagePath('schema/spec.schema.json');

/** Where the project schema goes by default: `.dbspec/spec.schema.json` in the config's folder. */
export const projectSchemaFile = (config: Pick<Config, 'root'>): string => join(config.root, '.dbspec', 'spec.schema.json');

type Schema = { $defs: Record<string, Record<string, unknown>> } & Record<string, unknown>;

/** Pure: the base schema with `db` limited to the configured names. */
export const projectSchema = (base: Schema, databases: readonly string[]): Schema => {
  const { $id: _id, ...rest } = base;
  const db = base.$defs.db ?? {};
  return {
    ...rest,
    $comment: 'Written by `dbspec schema` from dbspec.config.yaml: run it again after changing the databases there. Do not edit.',
    title: `${String(base.title ?? 'dbspec spec')} (this project)`,
    $defs: {
      ...base.$defs,
      db: {
        ...db,
        description: `${String(db.description ?? 'A database named in dbspec.config.yaml.')} Here: ${databases.join(', ')}.`,
        enum: [...databases],
        examples: databases.slice(0, 2),
      },
    },
  };
};

/** Writes the project schema (default place: projectSchemaFile); returns the path written. */
export const writeProjectSchema = async (
  config: { readonly root: string; readonly databases: readonly { readonly name: string }[] },
  file = projectSchemaFile(config),
): Promise<string> => {
  const base = JSON.parse(await readFile(BASE_SCHEMA, 'utf8')) as Schema;
  const text = `${JSON.stringify(
    projectSchema(
      base,
      config.databases.map((d) => d.name),
    ),
    null,
    2,
  )}\n`;
  const path = resolve(file);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
  return path;
};

/** The `$schema=` value for a spec in `specFolder`: a relative path, starting with `./` or `../`. */
export const schemaLineTarget = (specFolder: string, schemaFile: string): string => {
  const path = relative(specFolder, schemaFile).split('\\').join('/');
  return path.startsWith('.') ? path : `./${path}`;
};
