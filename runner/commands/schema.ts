/**
 * `dbspec schema [--out FILE]`: writes the project's spec schema (see project-schema.ts), so the editor
 * offers the configured databases after `db:`, and says which line makes a spec use it.
 */
import { relative } from 'node:path';
import type { Command } from './command.ts';
import { commandConfig, fail, usage } from './command-output.ts';
import { projectSchemaFile, writeProjectSchema } from './project-schema.ts';

export const schemaCommand: Command = {
  name: 'schema',
  summary: "Write the project's spec schema for editors: the configured databases as the values of `db:`.",
  usage: 'dbspec schema [--out FILE]',
  options: {
    out: { type: 'string', short: 'o', value: 'FILE', description: 'Where to write it (default: .dbspec/spec.schema.json beside the config).' },
    config: { type: 'string', value: 'FILE', description: 'The config file (default: dbspec.config.yaml in the working directory).' },
  },
  run: async ({ values, positionals }) => {
    if (positionals.length > 0) return fail([usage(`dbspec schema takes no arguments (got ${positionals.join(' ')})`)]);
    const { config, diagnostics } = await commandConfig(values);
    if (!config) return fail(diagnostics);
    const written = await writeProjectSchema(config, typeof values.out === 'string' ? values.out : projectSchemaFile(config));
    const shown = relative(process.cwd(), written).split('\\').join('/') || written;
    process.stdout.write(
      `wrote ${shown} (databases: ${config.databases.map((d) => d.name).join(', ')})\n` +
        `use it from a spec's first line:  # yaml-language-server: $schema=<path from the spec's folder to ${shown}>\n` +
        '(dbspec new writes that line for you; run dbspec schema again after changing the databases in the config)\n',
    );
    return 0;
  },
};
