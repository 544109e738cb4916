/**
 * `dbspec prove`: which guarantees of the schema no spec protects. Wiring only: options, the baseline check,
 * progress and the closing lines, prove.json and its reports, the exit code. The work is in prove-run.ts.
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DbspecError } from '../diagnostics.ts';
import { openScratchServers, type ScratchServers } from '../db/scratch-databases.ts';
import type { Config } from '../config.ts';
import { type Plan, planRun } from '../plan/plan.ts';
import type { Mutant, ProveNote } from '../prove/mutant.ts';
import { stepConnections } from '../spec/step-kinds.ts';
import { tablesOfSpec } from '../plan/spec-tables.ts';
import { writeFileAtomic } from '../results/atomic-write.ts';
import { assembleProve, serializeProve, type ProveResults } from '../results/prove-results.ts';
import { proveConsole, proveView } from '../report/prove-view.ts';
import { writeProveReports } from '../report/render-prove.ts';
import type { Command } from './command.ts';
import { fail, loadProject, shown, usage } from './command-output.ts';
import { outputFolder } from '../config.ts';
import { gitCommit } from './git-commit.ts';
import { allMutants, type Originals, proveAll, readOriginals, runOn, type ProveContext } from './prove-run.ts';
import { parseOptions, type RunOptions } from './run-options.ts';
import { trapSignals, within } from './run-process.ts';

type ProveOptions = { failUnder?: number; grep?: RegExp };

const parseProveOptions = (values: Record<string, unknown>): ProveOptions | string => {
  const options: ProveOptions = {};
  if (typeof values['fail-under'] === 'string') {
    const pct = Number(values['fail-under']);
    if (!Number.isFinite(pct) || pct < 0 || pct > 100) return `--fail-under takes a percentage from 0 to 100, not '${values['fail-under']}'`;
    options.failUnder = pct;
  }
  if (typeof values.grep === 'string') {
    try {
      options.grep = new RegExp(values.grep, 'i');
    } catch (error) {
      return `--grep: ${(error as Error).message}`;
    }
  }
  return options;
};

/** Every spec must pass on the unchanged schema, or a failure on a mutant would mean nothing. */
const baseline = async (ctx: ProveContext): Promise<{ failures: string[]; costs: number[] }> => {
  const indexes = ctx.plan.specs.map((_, i) => i);
  const names = new Set(ctx.plan.specs.flatMap((s) => s.databases));
  const results = await runOn(ctx, indexes, new Map([...names].map((n) => [n, { kind: 'copy' }] as const)), false);
  return {
    failures: results
      .filter((r) => r.status !== 'passed')
      .map((r) => {
        const step = r.steps.find((s) => s.failure);
        return `${r.file}: ${r.name} (${r.status})${step ? `\n    ${step.name}: ${step.failure!.message}` : ''}`;
      }),
    costs: results.map((r) => r.durationMs),
  };
};

const write = async (results: ProveResults, outDir: string, failUnder?: number): Promise<void> => {
  await writeFileAtomic(join(outDir, 'prove.json'), serializeProve(results));
  await writeProveReports(results, outDir, failUnder);
};

const CLOSE_TIMEOUT_MS = 10_000;

/** The largest number of connections one step holds at once, so a pool never starves a barrier. */
const poolSizeFor = (plan: Plan): number => Math.max(10, 2 + Math.max(0, ...plan.specs.flatMap((s) => s.steps.map(stepConnections))));

const progress = (done: number, total: number): void => {
  if (process.stderr.isTTY) process.stderr.write(`\rdbspec prove: ${done}/${total} mutants`);
};

type Prepared = {
  readonly run: RunOptions;
  readonly prove: ProveOptions;
  readonly config: Config;
  readonly plan: Plan;
  readonly originals: Originals;
  readonly mutants: readonly Mutant[];
  readonly notes: readonly ProveNote[];
  readonly outDir: string;
};

/** Options, config, specs, plan, migrations and mutants; or the exit code of the mistake that stops it. */
const prepare = async (values: Record<string, string | boolean | string[] | undefined>, positionals: string[]): Promise<Prepared | number> => {
  const run = parseOptions(values, positionals);
  if ('kind' in run) return fail([run]);
  const prove = parseProveOptions(values);
  if (typeof prove === 'string') return fail([usage(prove)]);
  const loaded = await loadProject({ config: run.config }, run.paths);
  if ('configProblems' in loaded) return fail(loaded.configProblems);
  if (loaded.diagnostics.length > 0) return fail(loaded.diagnostics);
  let originals: Originals;
  try {
    originals = await readOriginals(loaded.config);
  } catch (error) {
    if (error instanceof DbspecError) return fail(error.diagnostics);
    throw error;
  }
  const generated = await allMutants(originals);
  const grep = prove.grep;
  const mutants = grep ? generated.mutants.filter((m) => grep.test(m.id) || grep.test(m.description)) : generated.mutants;
  const outDir = run.out !== undefined ? resolve(process.cwd(), run.out) : outputFolder(loaded.config);
  try {
    await mkdir(outDir, { recursive: true });
  } catch (error) {
    return fail([usage(`--out ${run.out}: cannot create the folder for results (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`)]);
  }
  const plan = await planRun(loaded.specs);
  return { run, prove, config: loaded.config, plan, originals, mutants, notes: generated.notes, outDir };
};

/** Writes prove.json and the reports, prints the table and score; returns the exit code. */
const finish = async (p: Prepared, proved: ProveResults): Promise<number> => {
  try {
    await write(proved, p.outDir, p.prove.failUnder);
  } catch (error) {
    return fail([{ kind: 'config', code: 'DBSPEC_OUTPUT', message: `cannot write prove results to ${shown(p.outDir)}: ${(error as Error).message}` }]);
  }
  process.stdout.write(proveConsole(proveView(proved, p.prove.failUnder)));
  process.stdout.write(`results: ${join(shown(p.outDir), 'prove.json')}  report: ${join(shown(p.outDir), 'prove.html')}\n`);
  if (proved.interrupted) return 130;
  const pct = proved.summary.scorePct;
  const floor = p.prove.failUnder;
  if (floor !== undefined && (pct === null || pct < floor)) {
    process.stderr.write(`dbspec prove: mutation score ${pct === null ? 'none' : `${pct.toFixed(1)}%`} is under --fail-under ${floor}%\n`);
    return 1;
  }
  return 0;
};

/** The baseline, then every mutant; null when the baseline fails (already reported). */
const proveEvery = async (p: Prepared, ctx: ProveContext, startedAt: Date): Promise<ProveResults | null> => {
  const base = await baseline(ctx);
  if (base.failures.length > 0) {
    process.stderr.write(
      `dbspec prove: the specs must pass on the unchanged schema first; these do not (see dbspec run):\n${base.failures.map((f) => `  ${f}`).join('\n')}\n`,
    );
    return null;
  }
  let done = 0;
  const results = await proveAll({ ...ctx, costs: base.costs }, p.mutants, p.run.jobs, () => progress(++done, p.mutants.length));
  if (process.stderr.isTTY) process.stderr.write('\n');
  const finishedAt = new Date();
  return assembleProve(results, {
    release: p.run.release,
    commit: gitCommit(),
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - startedAt.getTime(),
    interrupted: ctx.signal.aborted,
    notes: p.notes,
    servers: ctx.servers.facts,
  });
};

export const executeProve = async (values: Record<string, string | boolean | string[] | undefined>, positionals: string[]): Promise<number> => {
  const p = await prepare(values, positionals);
  if (typeof p === 'number') return p;
  const controller = new AbortController();
  let servers: ScratchServers | undefined;
  const untrap = trapSignals(controller, () => {
    void servers?.close().finally(() => process.exit(130));
  });
  const startedAt = new Date();
  try {
    try {
      const options = { originals: p.originals, statementTimeoutMs: p.run.timeoutMs, poolSize: poolSizeFor(p.plan), logFile: join(p.outDir, 'postgres.log') };
      servers = await openScratchServers(
        p.config,
        p.config.databases.map((d) => d.name),
        options,
      );
    } catch (error) {
      if (error instanceof DbspecError) return fail(error.diagnostics);
      throw error;
    }
    const tables = p.plan.specs.map((spec) => tablesOfSpec(spec, p.plan));
    const ctx: ProveContext = { plan: p.plan, tables, servers, originals: p.originals, timeoutMs: p.run.timeoutMs, signal: controller.signal };
    const proved = await proveEvery(p, ctx, startedAt);
    return proved === null ? 1 : await finish(p, proved);
  } finally {
    untrap();
    await within(servers?.close(), CLOSE_TIMEOUT_MS);
  }
};

export const proveCommand: Command = {
  name: 'prove',
  summary: 'Show which guarantees of the schema no spec protects (mutants of the migrations).',
  usage: 'dbspec prove [paths...] [options]',
  options: {
    config: { type: 'string', value: 'FILE', description: 'The config file (default: dbspec.config.yaml in the working directory).' },
    grep: { type: 'string', short: 'g', value: 'REGEX', description: 'Only mutants whose id (database:file:line:kind:object) or description matches.' },
    jobs: { type: 'string', short: 'j', value: 'N', description: 'Try N mutants in parallel, each on its own databases.', default: '1' },
    timeout: { type: 'string', value: 'DURATION', description: 'Time limit per step, also PostgreSQL statement_timeout.', default: '30s' },
    'fail-under': { type: 'string', value: 'PCT', description: 'Exit 1 when the mutation score is below PCT percent (for CI).' },
    release: { type: 'string', value: 'LABEL', description: 'Release label recorded in prove.json (or $DBSPEC_RELEASE).' },
    out: {
      type: 'string',
      short: 'o',
      value: 'DIR',
      description: "Where prove.json, prove.html and prove.md go (default: the config's `output:`, reports/out).",
    },
  },
  run: async ({ values, positionals }) => executeProve(values, positionals),
};
