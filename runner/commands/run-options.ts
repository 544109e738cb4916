/**
 * `dbspec run`'s command line -> RunOptions, or the usage mistake in it.
 */
import type { Diagnostic } from '../diagnostics.ts';
import { usage } from './command-output.ts';
import { parseGrep, parseTags } from './shared-options.ts';
import { parseDuration } from '../spec/duration.ts';

type Values = Record<string, string | boolean | string[] | undefined>;

/** As in specs (`30s`, `500ms`, `2m`), or a bare number of milliseconds. */
const parseTimeout = (text: string): number | undefined => parseDuration(text.trim()) ?? (/^\d+$/.test(text.trim()) ? Number(text) : undefined);

export type RunOptions = {
  /** As given; none means the config's specs folder. */
  readonly paths: string[];
  readonly config?: string;
  readonly grep?: RegExp;
  readonly tags: string[];
  readonly shard?: { index: number; count: number };
  readonly durationsFrom?: string;
  readonly bail: boolean;
  readonly timeoutMs: number;
  readonly jobs: number;
  readonly release: string | null;
  /** As given (relative to the working directory); absent means the config's output folder. */
  readonly out?: string;
  readonly allowShared: boolean;
  readonly migrate: boolean;
  readonly reporter: string;
  /** Have the databases analyse every statement first (PREPARE); stop with exit 1 on problems. */
  readonly dbCheck?: boolean;
  /** --max-rows: rows one statement may return; undefined: the config's max_rows or the default. */
  readonly maxRows?: number;
};

const parseShard = (text: string): { index: number; count: number } | undefined => {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  if (!m) return undefined;
  const index = Number(m[1]);
  const count = Number(m[2]);
  return count >= 1 && index >= 1 && index <= count ? { index, count } : undefined;
};

export const parseOptions = (values: Values, positionals: string[]): RunOptions | Diagnostic => {
  const timeoutMs = parseTimeout(String(values.timeout));
  if (timeoutMs === undefined || timeoutMs <= 0) return usage(`--timeout takes a duration like 30s or 500ms, not '${String(values.timeout)}'`);
  const jobs = Number(values.jobs);
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > 64) return usage(`--jobs takes a whole number from 1 to 64, not '${String(values.jobs)}'`);
  const grep = parseGrep(values.grep);
  if ('kind' in grep) return grep;
  const maxRows = values['max-rows'] === undefined ? undefined : Number(values['max-rows']);
  if (maxRows !== undefined && (!Number.isInteger(maxRows) || maxRows < 1))
    return usage(`--max-rows takes a whole number of rows, at least 1, not '${String(values['max-rows'])}'`);
  const shard = typeof values.shard === 'string' ? parseShard(values.shard) : undefined;
  if (typeof values.shard === 'string' && !shard) return usage(`--shard takes i/n with 1 <= i <= n, e.g. 2/4, not '${values.shard}'`);
  return {
    paths: positionals,
    config: typeof values.config === 'string' ? values.config : undefined,
    ...grep,
    tags: parseTags(values.tag),
    shard,
    durationsFrom: typeof values.durations === 'string' ? values.durations : undefined,
    bail: values.bail === true,
    timeoutMs,
    jobs,
    release: typeof values.release === 'string' ? values.release : (process.env.DBSPEC_RELEASE ?? null),
    ...(typeof values.out === 'string' ? { out: values.out } : {}),
    allowShared: values['allow-shared'] === true,
    migrate: values.migrate === true,
    reporter: String(values.reporter),
    dbCheck: values['db-check'] === true,
    ...(maxRows !== undefined && { maxRows }),
  };
};
