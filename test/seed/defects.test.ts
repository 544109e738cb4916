/**
 * The eleven seed specs must be able to fail. For each one, a copy of the reference schemas (specs/db) gets
 * a 999_defect.sql that breaks exactly what the spec guards (a dropped constraint, index or trigger, row
 * level security switched off, a migration's default lost), the spec runs through the CLI against scratch
 * databases built from that copy, and it must fail at the step that guards the broken thing, saying why.
 * A baseline run of all eleven against the intact schemas must pass, so each failure is the defect's doing.
 */
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunResults, SpecResult, StepResult } from '../../runner/results/types.ts';
import { cleanEnv, REPO, runCli, type CliRun } from '../run/cli-process.ts';
import { scratchDatabases, testServers } from '../support/servers.ts';

type Defect = {
  /** The spec file's name without .spec.yaml. */
  readonly spec: string;
  /** What the defect takes away, for the test title. */
  readonly breaks: string;
  readonly db: 'auth' | 'backend';
  readonly sql: string;
  /** The first step that must fail (a step's name, or the setup), and how. */
  readonly phase?: 'setup' | 'step';
  /** How the spec ends: 'failed', or 'errored' when it could not even set up. */
  readonly status?: 'failed' | 'errored';
  readonly step?: string;
  readonly code: string;
  readonly message: RegExp;
};

const DEFECTS: readonly Defect[] = [
  {
    spec: 'user_data_persistence_across_services',
    breaks: 'the unique constraint on auth_users.email',
    db: 'auth',
    sql: 'alter table auth_users drop constraint auth_users_email_key;',
    step: 'the same email cannot register twice in auth',
    code: 'ERROR_EXPECTED',
    message: /23505/,
  },
  {
    spec: 'thread_message_storage_chat_continuity',
    breaks: 'the trigger that moves a thread up when a message arrives',
    db: 'backend',
    sql: 'drop trigger messages_touch_thread on messages;',
    step: "the thread just written to rises above yesterday's",
    code: 'ROWS_MISMATCH',
    message: /./,
  },
  {
    spec: 'transaction_integrity_rollback_scenarios',
    breaks: 'the check that tokens are not negative',
    db: 'backend',
    sql: 'alter table tool_usage_logs drop constraint tool_usage_logs_tokens_nonnegative;',
    step: 'a check violation after valid billing rows aborts them all',
    code: 'ERROR_EXPECTED',
    message: /23514/,
  },
  {
    spec: 'multi_user_data_isolation_enterprise_security',
    breaks: 'row level security on threads',
    db: 'backend',
    sql: 'alter table threads no force row level security;\nalter table threads disable row level security;',
    step: 'tenant A sees only its own thread',
    code: 'ROWS_MISMATCH',
    message: /./,
  },
  {
    spec: 'foreign_key_constraints_referential_integrity',
    breaks: 'the foreign key from messages to threads',
    db: 'backend',
    sql: 'alter table messages drop constraint messages_thread_fkey;',
    step: 'a message cannot point at a missing thread',
    code: 'ERROR_EXPECTED',
    message: /23503/,
  },
  {
    spec: 'concurrent_access_race_condition_prevention',
    breaks: "the run state machine that stops a second worker's claim",
    db: 'backend',
    sql: 'drop trigger runs_status_transition on runs;',
    step: 'of eight workers claiming one run exactly one wins',
    code: 'CONCURRENCY_MISMATCH',
    message: /./,
  },
  {
    spec: 'database_connection_pooling_performance',
    breaks: 'the index behind the thread page query',
    db: 'backend',
    sql: 'drop index messages_thread_idx;',
    step: 'the thread page is read through its index',
    code: 'ROWS_MISMATCH',
    message: /./,
  },
  {
    spec: 'audit_logging_cross_service_compliance',
    breaks: "auth's audit trigger on accounts",
    db: 'auth',
    sql: 'drop trigger auth_users_audit on auth_users;',
    step: 'auth recorded the account creation and the login',
    code: 'ROWS_MISMATCH',
    message: /./,
  },
  {
    spec: 'business_data_flows_existing_features',
    breaks: 'the rule that a completed analysis has a result',
    db: 'backend',
    sql: 'alter table analyses drop constraint analyses_completed_has_result;',
    step: 'an analysis cannot be completed without a result',
    code: 'ERROR_EXPECTED',
    message: /23514/,
  },
  {
    spec: 'database_migration_scenarios_service_updates',
    breaks: "the later migration's working backfill",
    db: 'backend',
    // The classic backfill bug: looking for '' where the new column is NULL, so old rows are never filled.
    sql: [
      'create or replace function backfill_users_email_domain(batch_size integer default 1000) returns bigint',
      'language sql as $$',
      "  with filled as (update users set email_domain = split_part(email, '@', 2) where email_domain = '' returning 1)",
      '  select count(*) from filled',
      '$$;',
    ].join('\n'),
    step: 'the backfill fills it',
    code: 'ROWS_MISMATCH',
    message: /filled/,
  },
  {
    spec: 'database_migration_scenarios_service_updates',
    breaks: "the later migration's default for users.preferences",
    db: 'backend',
    // Applied by the spec's second upgrade step, right after 008: the column is there, its default is not.
    sql: 'alter table users alter column preferences drop default;',
    step: 'preferences exists, is required and has its default',
    code: 'ROWS_MISMATCH',
    message: /./,
  },
  {
    spec: 'tool_usage_tracking_business_analytics',
    breaks: 'the check that a cost is not negative',
    db: 'backend',
    sql: 'alter table tool_usage_logs drop constraint tool_usage_logs_cost_nonnegative;',
    step: 'a negative cost is refused',
    code: 'ERROR_EXPECTED',
    message: /23514/,
  },
];

/** The metric each seed spec records, and the value a correct schema gives it. */
const METRICS: Readonly<Record<string, Readonly<Record<string, number | 'positive'>>>> = {
  user_data_persistence_across_services: { cross_service_user_consistency: 1 },
  thread_message_storage_chat_continuity: { chat_continuity_messages_persisted: 3 },
  transaction_integrity_rollback_scenarios: { transaction_rollback_integrity: 1 },
  multi_user_data_isolation_enterprise_security: { multi_user_isolation_verified: 1 },
  concurrent_access_race_condition_prevention: { concurrent_operations_successful: 24 },
  database_connection_pooling_performance: { average_pool_query_time_ms: 'positive' },
  audit_logging_cross_service_compliance: { audit_logs_created: 7 },
  business_data_flows_existing_features: { business_workflow_steps_completed: 8 },
  tool_usage_tracking_business_analytics: { billing_cost_cents: 13.35 },
};

const SPECS = join(REPO, 'specs');
const specFile = (name: string): string => join('specs', 'cross-service', `${name}.spec.yaml`);

type Outcome = { readonly run: CliRun; readonly results?: RunResults };

const CONFIG = [
  'databases:',
  '  auth: { url_env: DBSPEC_AUTH_URL, migrations: db/auth, disposable: true }',
  '  backend: { url_env: DBSPEC_BACKEND_URL, migrations: db/backend, disposable: true }',
  '',
].join('\n');

/** Copies the schemas into a temp dir, appends the defect, builds scratch databases from it, runs the specs. */
const runAgainstSchema = async (specs: readonly string[], defect?: Pick<Defect, 'db' | 'sql'>): Promise<Outcome> => {
  const dir = await mkdtemp(join(tmpdir(), 'dbspec-seed-'));
  try {
    await cp(join(SPECS, 'db'), join(dir, 'db'), { recursive: true });
    if (defect) await writeFile(join(dir, 'db', defect.db, '999_defect.sql'), `-- deliberate defect\n${defect.sql}\n`);
    await writeFile(join(dir, 'dbspec.config.yaml'), CONFIG);
    const [server] = await testServers();
    const dbs = await scratchDatabases(server!, ['auth', 'backend'], { migrationsRoot: join(dir, 'db') });
    try {
      const out = join(dir, 'out');
      const run = await runCli(
        ['run', ...specs.map(specFile), '--config', join(dir, 'dbspec.config.yaml'), '--out', out, '--allow-shared', '--reporter', 'dot'],
        cleanEnv(dbs.env),
      );
      const results = await readFile(join(out, 'results.json'), 'utf8').then(
        (text) => JSON.parse(text) as RunResults,
        () => undefined,
      );
      return { run, results };
    } finally {
      await dbs.drop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};

/** Runs jobs with at most `limit` at a time (two cores; each job is a CLI process with its own pools). */
const limited = async <T>(jobs: readonly (() => Promise<T>)[], limit: number): Promise<T[]> => {
  const outcomes: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const index = next++;
      outcomes[index] = await jobs[index]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return outcomes;
};

const explain = (outcome: Outcome): string => `exit ${outcome.run.code}\n${outcome.run.stdout}\n${outcome.run.stderr}`;

const onlySpec = (outcome: Outcome): SpecResult => {
  assert.ok(outcome.results, `no results.json:\n${explain(outcome)}`);
  assert.equal(outcome.results.specs.length, 1, explain(outcome));
  return outcome.results.specs[0]!;
};

const firstFailedStep = (spec: SpecResult): StepResult | undefined => spec.steps.find((s) => s.status === 'failed' || s.status === 'errored');

describe('seed specs fail when the schema they guard is broken', function () {
  this.timeout(180_000);
  let baseline: Outcome;
  let broken: Outcome[];

  before(async function () {
    const jobs = [() => runAgainstSchema([...new Set(DEFECTS.map((d) => d.spec))]), ...DEFECTS.map((d) => () => runAgainstSchema([d.spec], d))];
    [baseline, ...broken] = await limited(jobs, 3);
  });

  it('all eleven pass against the intact schemas, recording the seed metrics', function () {
    const results: RunResults | undefined = baseline.results;
    assert.ok(results, `no results.json:\n${explain(baseline)}`);
    const failed = results.specs
      .filter((s) => s.status !== 'passed')
      .map(
        (s) =>
          `${s.file}: ${s.steps
            .filter((st) => st.failure)
            .map((st) => `${st.name}: ${st.failure!.code} ${st.failure!.message}`)
            .join('; ')}`,
      );
    assert.deepEqual(failed, [], explain(baseline));
    assert.equal(results.specs.length, 11);
    assert.equal(baseline.run.code, 0, explain(baseline));
    for (const [name, metrics] of Object.entries(METRICS)) {
      const spec: SpecResult | undefined = results.specs.find((s) => s.file.endsWith(`${name}.spec.yaml`));
      assert.ok(spec, `no results for ${name}`);
      for (const [metric, expected] of Object.entries(metrics)) {
        const actual: number | undefined = spec.metrics[metric];
        if (expected === 'positive') assert.ok(typeof actual === 'number' && actual > 0, `${name}: ${metric} = ${actual}`);
        else assert.equal(actual, expected, `${name}: ${metric}`);
      }
    }
  });

  DEFECTS.forEach((defect, index) => {
    it(`${defect.spec} fails when the schema loses ${defect.breaks}`, function () {
      const outcome = broken[index]!;
      const spec = onlySpec(outcome);
      assert.equal(spec.status, defect.status ?? 'failed', explain(outcome));
      const step = firstFailedStep(spec);
      assert.ok(step, `no failed step:\n${explain(outcome)}`);
      assert.equal(step.phase, defect.phase ?? 'step', `failed in ${step.phase}: ${step.name}: ${step.failure?.message}`);
      if (defect.step !== undefined) assert.equal(step.name, defect.step, `failed at another step: ${step.failure?.code} ${step.failure?.message}`);
      assert.equal(step.failure?.code, defect.code, step.failure?.message);
      assert.match(step.failure?.message ?? '', defect.message);
      assert.equal(outcome.run.code, 1, `exit code of a failing run:\n${explain(outcome)}`);
    });
  });
});
