/**
 * dbspec.config.yaml + environment -> Config. (Loader to be implemented: see loadConfig.)
 */
import type { Diagnostic } from './diagnostics.ts';

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
};

export type Config = {
  /** The config file, or undefined when none was found and defaults apply. */
  readonly file?: string;
  /** Folder the config file is in (or the working directory); relative paths resolve from here. */
  readonly root: string;
  readonly databases: readonly DatabaseConfig[];
};

/** Defaults when no config file exists: databases auth and backend. */
export const DEFAULT_DATABASES = ['auth', 'backend'] as const;

export type ConfigResult = { readonly config?: Config; readonly diagnostics: readonly Diagnostic[] };
