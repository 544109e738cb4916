/**
 * `npm run bench`: runs every test/bench/*.bench.ts in its own process, one after another (so they do not
 * disturb each other's timings), and prints their figures. Exit 1 if a bench itself crashed.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
// Benches run with the node flags of the CLI's shebang, so they measure dbspec as `npx dbspec` runs it.
const cliFirstLine = readFileSync(join(here, '..', '..', 'runner', 'cli.ts'), 'utf8').split('\n')[0] ?? '';
const nodeFlags = (/\bnode\b(.*)$/.exec(cliFirstLine)?.[1] ?? '').split(/\s+/).filter(Boolean);
const only = process.argv.slice(2);
const benches = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
let crashed = 0;
for (const bench of benches) {
  process.stdout.write(`\n== ${bench}\n`);
  const run = spawnSync(process.execPath, [...nodeFlags, join(here, bench)], { stdio: 'inherit' });
  if (run.status !== 0) {
    crashed += 1;
    process.stdout.write(`${bench} exited with ${run.status ?? run.signal}\n`);
  }
}
process.exitCode = crashed > 0 ? 1 : 0;
