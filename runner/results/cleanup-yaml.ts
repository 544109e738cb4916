/**
 * A cleanup proposal (Failure.cleanup) as the YAML list item a spec's `cleanup:` holds: printed in the
 * console, shown in the reports and spliced into the spec by `--update`, so all three read the same.
 */
import type { CleanupProposal } from './types.ts';

/** Plain one-line scalars when safe, a literal block otherwise. */
const yamlSql = (sql: string, indent: string): string =>
  !sql.includes('\n') && !/[#'"]|: |^[\s\-?:,[\]{}&*!|>%@`]/.test(sql)
    ? sql
    : `|\n${sql
        .split('\n')
        .map((line) => `${indent}  ${line}`)
        .join('\n')}`;

/** One cleanup list item as YAML, every line after the first indented by `indent`. */
export const cleanupItemYaml = (proposal: CleanupProposal, indent: string): string =>
  `- db: ${proposal.db}\n${indent}  sql: ${yamlSql(proposal.sql, `${indent}  `)}`;

/** The whole proposal as a `cleanup:` block with a comment saying where each item goes. */
export const cleanupBlockYaml = (proposals: readonly CleanupProposal[]): string =>
  [
    'cleanup:',
    ...proposals.flatMap((p) => [`  # ${p.placement === 'first' ? 'before' : 'after'} the cleanup already there`, `  ${cleanupItemYaml(p, '  ')}`]),
  ].join('\n');
