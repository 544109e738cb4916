/**
 * The shape every CLI command has. Option metadata lives here, beside the command, so that --help,
 * argument parsing and validation agree.
 */
export type OptionSpec = {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly multiple?: boolean;
  /** Shown by --help, e.g. "LABEL". */
  readonly value?: string;
  readonly description: string;
  readonly default?: string | boolean;
};

export type Command = {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** e.g. "dbspec validate [paths...]" */
  readonly usage: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Returns the process exit code: 0 pass, 1 spec failures or invalid specs, 2 usage/config/connection. */
  readonly run: (args: { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] }) => Promise<number>;
};
