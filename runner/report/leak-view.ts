/**
 * A leak failure's explanation for the reports: per table, a sentence (how many rows, who likely wrote
 * them) and the rows as a table; and the proposed cleanup as the YAML to paste.
 */
import { cleanupBlockYaml } from '../results/cleanup-yaml.ts';
import type { Failure } from '../results/types.ts';
import { rowTables, type TableView } from './row-table.ts';
import { plural } from '../wording.ts';

export type LeakView = { readonly title: string; readonly note?: string; readonly tables?: readonly TableView[] };

export const leakViews = (failure: Failure, maxRows: number): LeakView[] | undefined => {
  if (!failure.leaks || failure.leaks.length === 0) return undefined;
  return failure.leaks.map((leak) => {
    const table = `${leak.db}.${leak.table.replace(/^public\./, '')}`;
    const head = leak.change === 'leaked' ? `${plural(leak.count, 'row')} left behind in ${table}` : `${plural(leak.count, 'row')} removed from ${table}`;
    const tables = leak.rows ? rowTables({ message: '', code: '', actual: leak.rows }, maxRows)?.map((t) => ({ ...t, title: 'rows left behind' })) : undefined;
    return {
      title: `${head}${leak.likelyBy ? `, likely by ${leak.likelyBy}` : ''}`,
      ...(leak.note ? { note: leak.note } : {}),
      ...(tables ? { tables } : {}),
    };
  });
};

/** The proposed cleanup as YAML, or undefined when there is none. */
export const cleanupView = (failure: Failure): string | undefined =>
  failure.cleanup && failure.cleanup.length > 0 ? cleanupBlockYaml(failure.cleanup) : undefined;
