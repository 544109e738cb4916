#!/usr/bin/env -S MALLOC_ARENA_MAX=1 node --liftoff-only --max-semi-space-size=4 --heap-growing-percent=50
/**
 * dbspec's command line: parses arguments into a plain object and hands it to a command. Nothing else.
 * (--liftoff-only in the first line: V8's optimizing tier would recompile the SQL parser's WebAssembly on
 * first use, 0.4 s of CPU and a ~550 MB memory spike per thread, for no measurable gain in parsing.)
 */
import { parseArgs } from 'node:util';
import type { Command, OptionSpec } from './commands/command.ts';
import { packageFile } from './package-files.ts';

/** Loaded lazily so `dbspec validate` never pays for the database and report code. */
const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  validate: async () => (await import('./commands/validate.ts')).validateCommand,
  list: async () => (await import('./commands/list.ts')).listCommand,
  run: async () => (await import('./commands/run.ts')).runCommand,
  report: async () => (await import('./commands/report.ts')).reportCommand,
  diff: async () => (await import('./commands/diff.ts')).diffCommand,
  merge: async () => (await import('./commands/merge.ts')).mergeCommand,
  trend: async () => (await import('./commands/trend.ts')).trendCommand,
  new: async () => (await import('./commands/new.ts')).newCommand,
  schema: async () => (await import('./commands/schema.ts')).schemaCommand,
  explain: async () => (await import('./commands/explain.ts')).explainCommand,
  init: async () => (await import('./commands/init.ts')).initCommand,
  prove: async () => (await import('./commands/prove.ts')).proveCommand,
};

const GENERAL_HELP = (names: readonly string[], summaries: readonly string[]) =>
  [
    'dbspec: run declarative YAML specs against real PostgreSQL databases.',
    '',
    'Usage: dbspec <command> [options] [paths...]',
    '',
    'Commands:',
    ...names.map((n, i) => `  ${n.padEnd(10)} ${summaries[i]}`),
    '',
    "Run `dbspec <command> --help` for a command's options.",
    'Exit codes: 0 all passed or valid, 1 spec failures or invalid specs, 2 usage, configuration or connection problems.',
  ].join('\n');

const commandHelp = (command: Command): string => {
  const lines = [command.summary, '', `Usage: ${command.usage}`, '', 'Options:'];
  const entries: [string, OptionSpec][] = [...Object.entries(command.options), ['help', { type: 'boolean', short: 'h', description: 'Show this help.' }]];
  for (const [name, spec] of entries) {
    const flag = `${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.value ? ` ${spec.value}` : ''}`;
    const def = spec.default !== undefined && spec.default !== false ? ` (default: ${String(spec.default)})` : '';
    lines.push(`  ${flag.padEnd(28)} ${spec.description}${def}`);
  }
  return lines.join('\n');
};

export const main = async (argv: readonly string[]): Promise<number> => {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const names = Object.keys(COMMANDS);
    const summaries = await Promise.all(names.map(async (n) => (await COMMANDS[n]!()).summary));
    process.stdout.write(GENERAL_HELP(names, summaries) + '\n');
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    const { readFile } = await import('node:fs/promises');
    const pkg = JSON.parse(await readFile(packageFile('package.json'), 'utf8')) as { version: string };
    process.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    process.stderr.write(`dbspec: unknown command '${name}'. Commands: ${Object.keys(COMMANDS).join(', ')}. See dbspec --help.\n`);
    return 2;
  }
  const command = await load();
  let parsed;
  try {
    parsed = parseArgs({
      args: [...rest],
      allowPositionals: true,
      strict: true,
      options: {
        ...Object.fromEntries(
          Object.entries(command.options).map(([k, o]) => [
            k,
            { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: o.multiple } : {}) },
          ]),
        ),
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    process.stderr.write(
      `dbspec ${name}: ${(error as Error).message.replace(/\. To specify.*$/s, '.')}\nUsage: ${command.usage} (see dbspec ${name} --help)\n`,
    );
    return 2;
  }
  if (parsed.values.help) {
    process.stdout.write(commandHelp(command) + '\n');
    return 0;
  }
  const values = { ...parsed.values } as Record<string, string | boolean | string[] | undefined>;
  for (const [k, o] of Object.entries(command.options)) if (values[k] === undefined && o.default !== undefined) values[k] = o.default;
  try {
    return await command.run({ values, positionals: parsed.positionals });
  } catch (error) {
    return reportThrown(error);
  }
};

/** What escapes a command: a user's mistake thrown across a boundary (printed as such), else a bug in dbspec. */
const reportThrown = async (error: unknown): Promise<number> => {
  const { DbspecError, exitCodeFor } = await import('./diagnostics.ts');
  const { redactSecrets } = await import('./redact.ts');
  if (error instanceof DbspecError) {
    const { formatDiagnostics } = await import('./spec/format-diagnostic.ts');
    process.stderr.write(redactSecrets(await formatDiagnostics(error.diagnostics)) + '\n');
    return exitCodeFor(error.diagnostics);
  }
  const { reportInternalError } = await import('./internal-error.ts');
  return reportInternalError(error);
};

/** Runs a command as the process: sets the exit code and makes sure nothing keeps the process alive after. */
export const runAsProcess = async (argv: readonly string[]): Promise<void> => {
  const code = await main(argv);
  process.exitCode = code;
  // Never hang in CI: whatever might still hold the event loop (a pool socket to a vanished server), the
  // work is done and the results are written.
  setTimeout(() => process.exit(code), 10_000).unref();
};

// Run from source (`node runner/cli.ts`, Node 24). The installed package's bin is bin.ts, compiled.
if (import.meta.main) await runAsProcess(process.argv.slice(2));
