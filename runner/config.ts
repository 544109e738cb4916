/**
 * dbspec.config.yaml + environment -> Config. The file is loaded as safely as a spec and checked against
 * schema/config.schema.json; URLs come only from the environment and are never echoed with their password.
 */
import { access } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { isMap, isScalar, isSeq } from 'yaml';
import { normaliseUrl } from './connection-url.ts';
import type { Diagnostic, SourceLocation } from './diagnostics.ts';
import { redactUrl } from './redact.ts';
import { keyText, loadYamlFile } from './spec/load.ts';
import { checkSchema } from './spec/schema-check.ts';
import { boolOf, locOf, pairsOf, stringOf, valueOf } from './spec/yaml-nodes.ts';

export type DatabaseConfig = {
  readonly name: string;
  /** Environment variable holding the connection URL; default DBSPEC_<NAME>_URL. */
  readonly urlEnv: string;
  /** The URL from the environment, or undefined: then the embedded server is used. */
  readonly url?: string;
  /** Folder of NNN_name.sql migrations, relative to the config file's folder; default specs/db/<name>. */
  readonly migrations: string;
  /** May dbspec write to this database without --allow-shared? */
  readonly disposable: boolean;
  /** Where the config names `migrations` (absent when defaulted): a folder named there must exist. */
  readonly migrationsAt?: SourceLocation;
};

export type Config = {
  /** The config file, as shown in messages (relative to the working directory); absent in a Config built in code. */
  readonly file?: string;
  /** Folder the config file is in; relative paths in it resolve from here. */
  readonly root: string;
  readonly databases: readonly DatabaseConfig[];
  /** Absolute: the folder searched for specs when a command is given no paths (`specs:`; default root/specs). */
  readonly specs?: string;
  /** Absolute: where `run` writes results and reports unless --out says otherwise (`output:`; default root/reports/out). */
  readonly output?: string;
  /** `max_rows`: rows one statement may return; undefined: the default (db/row-limit.ts). */
  readonly maxRows?: number;
  /** `shared_targets`: what a non-disposable database may still be sent (see spec/shared-target-guard.ts). */
  readonly sharedTargets?: SharedTargetsConfig;
};

export type SharedTargetsConfig = {
  /** Kinds of dangerous statement allowed anyway, e.g. copy_program. */
  readonly allow: readonly string[];
  /** Extensions CREATE EXTENSION may create. */
  readonly extensions: readonly string[];
};

/** The folder commands search when given no spec paths. */
export const specsFolder = (config: Config): string => config.specs ?? resolve(config.root, DEFAULT_SPECS);

/** The folder `run` writes to when given no --out. */
export const outputFolder = (config: Config): string => config.output ?? resolve(config.root, DEFAULT_OUTPUT);

export const DEFAULT_SPECS = 'specs';
export const DEFAULT_OUTPUT = 'reports/out';

export type ConfigResult = { readonly config?: Config; readonly diagnostics: readonly Diagnostic[] };

export const CONFIG_FILE = 'dbspec.config.yaml';

const databaseConfig = (
  name: string,
  urlEnv: string,
  migrations: string,
  disposable: boolean,
  env: Readonly<Record<string, string | undefined>>,
  migrationsAt?: SourceLocation,
): DatabaseConfig => {
  // Normalised at once: a password holding `/ ? # @ :` must not be read as the host by any URL parser.
  const url = env[urlEnv] ? normaliseUrl(env[urlEnv]) : undefined;
  return { name, urlEnv, ...(url ? { url } : {}), migrations, disposable, ...(migrationsAt ? { migrationsAt } : {}) };
};

const urlProblems = (databases: readonly DatabaseConfig[]): Diagnostic[] =>
  databases.flatMap((db) => {
    if (db.url === undefined) return [];
    let parsed: URL | undefined;
    try {
      parsed = new URL(db.url);
    } catch {
      parsed = undefined;
    }
    if (parsed && (parsed.protocol === 'postgres:' || parsed.protocol === 'postgresql:')) return [];
    return [
      {
        kind: 'config' as const,
        code: 'DBSPEC_BAD_URL',
        message: `${db.urlEnv} is not a PostgreSQL URL (${parsed ? redactUrl(db.url) : 'it does not parse as a URL'})`,
        hint: 'write it as postgres://user:password@host:5432/database',
      },
    ];
  });

const exists = async (path: string): Promise<boolean> => {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
};

/** dbspec.config.yaml in `from` or the nearest folder above it that has one, as mocha and eslint find theirs. */
export const findConfigFile = async (from: string): Promise<string | undefined> => {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (await exists(join(dir, CONFIG_FILE))) return join(dir, CONFIG_FILE);
    if (dirname(dir) === dir) return undefined;
  }
};

const notFound = (cwd: string): Diagnostic => ({
  kind: 'config',
  code: 'DBSPEC_CONFIG_NOT_FOUND',
  message: `no ${CONFIG_FILE} in ${cwd} or any folder above it`,
  hint: 'run `npx dbspec init` at the root of your project to create one (or pass --config FILE)',
});

/**
 * Finds and loads the config: `file` when given (relative to cwd), else the nearest dbspec.config.yaml from
 * cwd upwards. None found is an error: a run on made-up defaults would only fail further on, less clearly.
 */
export const loadConfig = async (options: { cwd: string; file?: string; env: Readonly<Record<string, string | undefined>> }): Promise<ConfigResult> => {
  const { cwd, env } = options;
  const path = options.file !== undefined ? resolve(cwd, options.file) : await findConfigFile(cwd);
  if (path === undefined) return { diagnostics: [notFound(cwd)] };
  if (!(await exists(path))) return { diagnostics: [{ kind: 'config', code: 'DBSPEC_CONFIG_NOT_FOUND', message: `config file not found: ${options.file}` }] };
  const display = relative(cwd, path).split('\\').join('/') || path;
  const { loaded, diagnostics } = await loadYamlFile(path, display);
  const asConfig = (ds: readonly Diagnostic[]): Diagnostic[] => ds.map((d) => ({ ...d, kind: 'config' as const }));
  if (!loaded || diagnostics.length > 0) return { diagnostics: asConfig(diagnostics) };
  const root = loaded.doc.contents;
  if (!isMap(root)) {
    return {
      diagnostics: [{ kind: 'config', code: 'DBSPEC_CONFIG', message: 'the config must be a map with a `databases:` key', location: locOf(loaded, root) }],
    };
  }
  const schemaProblems = checkSchema(loaded, root, 'config.schema.json', 'config');
  if (schemaProblems.length > 0) return { diagnostics: schemaProblems };
  const databases = pairsOf(valueOf(root, 'databases')).map((pair) => {
    const name = keyText(pair.key)!;
    const db = pair.value;
    return databaseConfig(
      name,
      stringOf(valueOf(db, 'url_env')) ?? `DBSPEC_${name.toUpperCase()}_URL`,
      stringOf(valueOf(db, 'migrations')) ?? `specs/db/${name}`,
      boolOf(valueOf(db, 'disposable')) ?? false,
      env,
      valueOf(db, 'migrations') !== undefined ? locOf(loaded, valueOf(db, 'migrations')) : undefined,
    );
  });
  const problems = urlProblems(databases).map((d) => ({
    ...d,
    location: locOf(
      loaded,
      valueOf(valueOf(valueOf(root, 'databases'), databases.find((db) => d.message.startsWith(db.urlEnv))?.name ?? ''), 'url_env') ?? root,
    ),
  }));
  if (problems.length > 0) return { diagnostics: problems };
  const folder = (key: string, fallback: string): string => resolve(dirname(path), stringOf(valueOf(root, key)) ?? fallback);
  const maxRows = valueOf(root, 'max_rows');
  const shared = valueOf(root, 'shared_targets');
  const strings = (node: unknown): string[] => (isSeq(node) ? node.items.map((item) => stringOf(item as never) ?? '').filter(Boolean) : []);
  return {
    config: {
      file: display,
      root: dirname(path),
      databases,
      specs: folder('specs', DEFAULT_SPECS),
      output: folder('output', DEFAULT_OUTPUT),
      ...(isScalar(maxRows) && { maxRows: Number(maxRows.value) }),
      ...(shared !== undefined && { sharedTargets: { allow: strings(valueOf(shared, 'allow')), extensions: strings(valueOf(shared, 'extensions')) } }),
    },
    diagnostics: [],
  };
};
