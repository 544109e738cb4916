/**
 * Report rendering at scale: 1,000 specs x 10 steps, some failing with row tables. Standalone:
 * `npx node test/bench/report.bench.ts` (also run by `npm run bench`). Prints the time to render
 * report.html + report.md + junit.xml and the sizes, against the targets.
 */
import { renderJunit } from '../../runner/report/junit.ts';
import { renderReportHtml, renderReportMarkdown } from '../../runner/report/render.ts';
import { summarize } from '../../runner/results/summary.ts';
import type { RunResults, SpecResult, StepResult } from '../../runner/results/types.ts';

/** A run of `specCount` specs with `stepsPerSpec` steps each; every 25th step fails with a 6-row table. */
export const bigResults = (specCount = 1000, stepsPerSpec = 10, rowsPerFailure = 6): RunResults => {
  const specs: SpecResult[] = [];
  for (let s = 0; s < specCount; s++) {
    const file = `specs/area-${String(s % 20).padStart(2, '0')}/spec-${String(s).padStart(4, '0')}.spec.yaml`;
    const steps: StepResult[] = [];
    for (let t = 0; t < stepsPerSpec; t++) {
      const n = s * stepsPerSpec + t;
      const failing = n % 25 === 7;
      const rows = Array.from({ length: rowsPerFailure }, (_, r) => [`user-${r}@example.test`, r % 2 ? 'pro' : 'free', r, `<b>${n}</b>`]);
      steps.push({
        name: `step ${t + 1} checks the thing ${n}`,
        phase: t === 0 ? 'setup' : t === stepsPerSpec - 1 ? 'cleanup' : 'step',
        kind: 'query',
        location: `${file}:${10 + t * 4}:5`,
        db: t % 2 ? 'auth' : 'backend',
        sql: [`select email, plan, seats, note from users where org_id = \${org_id} and n = ${n} order by email`],
        status: failing ? 'failed' : 'passed',
        durationMs: 1 + (n % 37) / 3,
        ...(failing
          ? {
              failure: {
                code: 'ROWS_MISMATCH',
                message: `expected ${rowsPerFailure} rows, 1 differs`,
                location: `${file}:${12 + t * 4}:9`,
                expected: { columns: ['email', 'plan', 'seats', 'note'], rows },
                actual: {
                  columns: ['email', 'plan', 'seats', 'note'],
                  rows: rows.map((row, r) => (r === 2 ? [row[0]!, 'enterprise', row[2]!, row[3]!] : row)),
                },
                mismatches: [{ expectedRow: 2, actualRow: 2, column: 'plan' }],
              },
            }
          : {}),
        ...(t === 3 ? { metrics: { avg_ms: 3 + (n % 5), p50_ms: 2 + (n % 4), p95_ms: 9 + (n % 7), p99_ms: 14 + (n % 9), max_ms: 30 + (n % 11) } } : {}),
      });
    }
    const status = steps.some((st) => st.status === 'failed') ? 'failed' : 'passed';
    specs.push({
      name: `spec ${s} keeps its promise`,
      file,
      location: `${file}:1:1`,
      tags: [`area-${s % 20}`, s % 3 ? 'smoke' : 'enterprise'],
      databases: ['auth', 'backend'],
      status,
      durationMs: steps.reduce((a, st) => a + st.durationMs, 0),
      steps,
      metrics: { rows_seen: s },
    });
  }
  return {
    format: 'dbspec-results',
    version: 1,
    release: 'bench',
    commit: '0123456789ab',
    startedAt: '2026-11-25T10:00:00.000Z',
    finishedAt: '2026-11-25T10:05:00.000Z',
    durationMs: 300_000,
    interrupted: false,
    databases: { auth: { serverVersion: '18.1', embedded: true }, backend: { serverVersion: '18.1', embedded: true } },
    summary: summarize(specs),
    specs,
  };
};

if (import.meta.main) {
  const results = bigResults();
  // Warm up once: templates compile on first use, and that is a one-off per process.
  renderReportHtml({ ...results, specs: results.specs.slice(0, 2) });
  const started = performance.now();
  const html = renderReportHtml(results);
  const md = renderReportMarkdown(results);
  const junit = renderJunit(results);
  const seconds = (performance.now() - started) / 1000;
  const mb = (s: string) => Buffer.byteLength(s) / 1e6;
  const steps = results.summary.steps.total;
  const met = (ok: boolean) => (ok ? 'met' : 'MISSED');
  process.stdout.write(
    `render ${steps} steps: ${seconds.toFixed(2)} s (target < 1 s: ${met(seconds < 1)}), report.html ${mb(html).toFixed(1)} MB (target < 5 MB: ${met(mb(html) < 5)}), report.md ${mb(md).toFixed(2)} MB (limit 1 MB: ${met(Buffer.byteLength(md) <= 1_000_000)}), junit.xml ${mb(junit).toFixed(1)} MB\n`,
  );
}
