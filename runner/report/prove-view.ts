/**
 * prove results -> what the console, prove.md and prove.html show: the score per database and overall, every
 * mutant, and each survivor as a sentence ("no spec fails when `auth_users_email_key`
 * (specs/db/auth/001_auth_users.sql:15) is dropped"). Pure.
 */
import type { MutantResult, ProveResults, Score } from '../results/prove-results.ts';
import { formatMs } from '../wording.ts';
import { plural } from '../wording.ts';

const DROPPED = new Set(['drop-primary-key', 'drop-unique', 'drop-foreign-key', 'drop-check', 'drop-trigger', 'drop-policy', 'drop-unique-index']);

/** What happens to the guarantee, as the end of "no spec fails when ...". */
const happening = (m: Pick<MutantResult, 'kind' | 'object' | 'description'>, where: string): string => {
  if (DROPPED.has(m.kind)) return `\`${m.object}\` (${where}) is dropped`;
  switch (m.kind) {
    case 'drop-not-null':
      return `not null on \`${m.object}\` (${where}) is dropped`;
    case 'drop-default':
      return `the default of \`${m.object}\` (${where}) is dropped`;
    case 'disable-rls':
      return `row level security on \`${m.object}\` (${where}) is disabled`;
    case 'weaken-grant':
      return `\`${m.object}\` (${where}) is no longer granted`;
    case 'weaken-revoke':
      return `\`${m.object}\` (${where}) is not revoked`;
    default:
      return `${m.description.replace(/^changes /, '')} (${where})`;
  }
};

export const survivorSentence = (m: Pick<MutantResult, 'kind' | 'object' | 'description' | 'file' | 'line'>): string =>
  `no spec fails when ${happening(m, `${m.file}:${m.line}`)}`;

/** Why a survivor survived: no spec names its tables, or some did and all passed. */
export const survivorReason = (m: Pick<MutantResult, 'specs' | 'tables'>): string =>
  m.specs.length === 0
    ? `no spec names ${m.tables.includes('*') ? 'this database' : m.tables.map((t) => `\`${t}\``).join(' or ')}`
    : `${plural(m.specs.length, 'spec')} ran and passed`;

export const scoreText = (s: Score): string =>
  `${s.scorePct === null ? 'no score' : `${s.scorePct.toFixed(1)}%`} (${s.killed} killed, ${s.survived} survived${s.unapplied ? `, ${s.unapplied} failed to apply` : ''}, of ${s.mutants})`;

const STATUS_WORD: Readonly<Record<MutantResult['status'], string>> = { killed: 'killed', survived: 'SURVIVED', unapplied: 'unapplied' };

export type MutantView = MutantResult & { readonly where: string; readonly statusWord: string; readonly outcome: string };

const outcomeOf = (m: MutantResult): string =>
  m.status === 'killed' && m.killedBy
    ? `by "${m.killedBy.spec}" › ${m.killedBy.step || 'setup'}`
    : m.status === 'unapplied'
      ? `failed to apply: ${m.error ?? ''}`
      : survivorReason(m);

export type ProveView = {
  readonly ok: boolean;
  readonly release: string | null;
  readonly commit: string | null;
  readonly duration: string;
  readonly overall: string;
  readonly interrupted: boolean;
  readonly databases: readonly { readonly name: string; readonly score: string; readonly server: string }[];
  readonly mutants: readonly MutantView[];
  readonly survivors: readonly (MutantView & { readonly sentence: string; readonly reason: string })[];
  readonly unapplied: readonly MutantView[];
  readonly notes: ProveResults['notes'];
  readonly failUnder?: number;
};

export const proveView = (results: ProveResults, failUnder?: number): ProveView => {
  const mutants = results.mutants.map((m) => ({ ...m, where: `${m.file}:${m.line}`, statusWord: STATUS_WORD[m.status], outcome: outcomeOf(m) }));
  const pct = results.summary.scorePct;
  return {
    ok: failUnder === undefined || (pct !== null && pct >= failUnder),
    release: results.release,
    commit: results.commit === null ? null : results.commit.slice(0, 12),
    duration: formatMs(results.durationMs),
    overall: scoreText(results.summary),
    interrupted: results.interrupted,
    databases: Object.entries(results.databases).map(([name, d]) => ({
      name,
      score: scoreText(d),
      server: `PostgreSQL ${d.serverVersion}${d.embedded ? ' (embedded)' : ''}`,
    })),
    mutants,
    survivors: mutants.filter((m) => m.status === 'survived').map((m) => ({ ...m, sentence: survivorSentence(m), reason: survivorReason(m) })),
    unapplied: mutants.filter((m) => m.status === 'unapplied'),
    notes: results.notes,
    ...(failUnder !== undefined && { failUnder }),
  };
};

/** The console's table of mutants: status, what, where, outcome; columns padded. */
export const proveConsole = (view: ProveView): string => {
  const rows = view.mutants.map((m) => [m.statusWord, m.description.replace(/`/g, ''), m.where, m.outcome]);
  const widths = [0, 1, 2].map((c) => Math.min(70, Math.max(...rows.map((r) => r[c]!.length))));
  const pad = (r: string[]) => r.map((cell, c) => (c < 3 ? cell.padEnd(widths[c]!) : cell)).join('  ');
  const lines = rows.map(pad);
  if (view.survivors.length > 0) {
    lines.push('', `Survivors (${view.survivors.length}): guarantees no spec protects`);
    for (const s of view.survivors) lines.push(`  ${s.sentence}: ${s.reason}`);
  }
  for (const n of view.notes) lines.push(`note: ${n.file}:${n.line}: ${n.message}`);
  lines.push('');
  for (const d of view.databases) lines.push(`dbspec prove: ${d.name}: ${d.score}`);
  lines.push(`dbspec prove: mutation score ${view.overall} in ${view.duration}${view.interrupted ? ' (interrupted)' : ''}`);
  return `${lines.join('\n')}\n`;
};
