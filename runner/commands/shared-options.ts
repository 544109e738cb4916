/**
 * The options several commands share, declared once with the way each is read (as mocha's
 * run-option-metadata): `--config`, and the selection `--grep` / `--tag`, which mean the same in `run` and
 * `list`.
 */
import type { Diagnostic } from '../diagnostics.ts';
import type { OptionSpec } from './command.ts';
import { usage } from './command-output.ts';

type Value = string | boolean | string[] | undefined;

export const CONFIG_OPTION: OptionSpec = {
  type: 'string',
  value: 'FILE',
  description: 'The config file (default: the nearest dbspec.config.yaml, from the working directory up).',
};

/** `--grep` and `--tag`: which specs a command takes. */
export const SELECTION_OPTIONS: Readonly<Record<'grep' | 'tag', OptionSpec>> = {
  grep: { type: 'string', short: 'g', value: 'REGEX', description: 'Only specs whose name, file or a step name matches.' },
  tag: { type: 'string', short: 't', multiple: true, value: 'TAG', description: 'Only specs with this tag (repeatable, or comma-separated).' },
};

/** `--tag a,b --tag c` -> [a, b, c]: a spec with any of them is taken. */
export const parseTags = (value: Value): string[] =>
  (Array.isArray(value) ? value : typeof value === 'string' ? [value] : [])
    .flatMap((t) => t.split(','))
    .map((t) => t.trim())
    .filter(Boolean);

/** `--grep` as a case-insensitive regular expression, or the usage mistake in it. */
export const parseGrep = (value: Value): { grep?: RegExp } | Diagnostic => {
  if (typeof value !== 'string') return {};
  try {
    return { grep: new RegExp(value, 'i') };
  } catch (error) {
    return usage(`--grep: ${(error as Error).message}`);
  }
};
