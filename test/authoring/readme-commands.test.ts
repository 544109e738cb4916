/**
 * The authoring guide's command lines are real: every `npx dbspec ...` in specs/README.md names a command
 * and only options that command has (a renamed flag breaks this test, not a reader's first five minutes).
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { Command } from '../../runner/commands/command.ts';

const README = new URL('../../specs/README.md', import.meta.url);

const command = async (name: string): Promise<Command | undefined> => {
  try {
    const module = (await import(`../../runner/commands/${name}.ts`)) as Record<string, Command>;
    return Object.values(module).find((v) => typeof v === 'object' && v !== null && 'run' in v && v.name === name);
  } catch {
    return undefined;
  }
};

/** Splits a shell line into words, keeping "quoted words" together and dropping a trailing # comment. */
const words = (line: string): string[] => [...line.replace(/\s+#.*$/, '').matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);

describe('specs/README.md command lines', () => {
  it("every `npx dbspec` line parses with that command's options", async () => {
    const text = await readFile(README, 'utf8');
    const lines = [...text.matchAll(/(?:^|\s|`)(npx dbspec [^`\n]+)/g)].map((m) => m[1]!.trim());
    assert.ok(lines.length >= 8, `only ${lines.length} command lines found`);
    for (const line of lines) {
      const [, , name, ...args] = words(line);
      const cmd = await command(name!);
      assert.ok(cmd, `${line}: no command \`${name}\``);
      const options = Object.fromEntries(
        Object.entries(cmd.options).map(([k, o]) => [k, { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) }]),
      );
      assert.doesNotThrow(
        () => parseArgs({ args: args.filter((a) => a !== '...' && !/^\[.*\]$/.test(a) && a !== '[paths...]'), options, allowPositionals: true, strict: true }),
        line,
      );
    }
  });
});
