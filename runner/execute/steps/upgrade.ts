/**
 * An upgrade step: the first one for a database creates a fresh database of the spec's own beside it
 * (embedded or disposable targets only) and applies its migrations up to `to`; from then on the spec's
 * steps that name that database use the fresh one. A later upgrade step applies the migrations after it,
 * up to its own `to` or all of them. Setup, cleanup and the leak check keep using the configured database.
 * A refused upgrade step errors, so that the steps after it (written for the fresh database, and owing no
 * cleanup for what they write there) are skipped instead of writing to the configured one.
 */
import { DbspecError } from '../../diagnostics.ts';
import type { UpgradeStep } from '../../spec/types.ts';
import { where, type StepContext, type StepOutcome } from '../context.ts';

const listed = (names: readonly string[]): string => (names.length === 0 ? 'none' : names.map((n) => n.replace(/\.sql$/, '')).join(', '));

export const runUpgradeStep = async (step: UpgradeStep, context: StepContext): Promise<StepOutcome> => {
  const location = where(step.loc);
  let fresh = context.upgraded.get(step.db);
  if (!fresh) {
    const configured = context.databases.get(step.db);
    if (!configured?.fresh) {
      return {
        status: 'errored',
        failure: {
          code: 'UPGRADE_REFUSED',
          message: `an upgrade step needs a database it may create databases beside: \`${step.db}\` is neither embedded nor marked \`disposable: true\` in dbspec.config.yaml`,
          location,
        },
      };
    }
    fresh = await configured.fresh();
    context.upgraded.set(step.db, fresh);
  }
  let applied: string[];
  try {
    applied = await fresh.migrate(step.to);
  } catch (error) {
    if (!(error instanceof DbspecError)) throw error;
    return { status: 'failed', failure: { code: 'MIGRATION_FAILED', message: error.diagnostics.map((d) => d.message).join('; '), location } };
  }
  const want = step.expectApplied;
  if (want && (want.length !== applied.length || want.some((name, i) => name.replace(/\.sql$/, '') !== applied[i]!.replace(/\.sql$/, '')))) {
    return {
      status: 'failed',
      failure: { code: 'UPGRADE_MISMATCH', message: `expected the step to apply ${listed(want)}; it applied ${listed(applied)}`, location },
    };
  }
  return { status: 'passed', metrics: { migrations_applied: applied.length } };
};
