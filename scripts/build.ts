/**
 * `npm run build`, and npm runs it before `npm pack` / `npm publish` (prepack): runner/*.ts -> dist/*.js.
 * tsc emits one .js per source beside its source map (rootDir runner, outDir dist), so every relative URL
 * the code resolves from import.meta.url (../schema, ../reports/templates, ../package.json) means the same
 * from dist/ as from runner/. slonik and @slonik/* are bundled into dist/vendor/slonik.js: they declare
 * `engines: node >=24`, and an install under Node 20 would warn for each; dbspec polyfills what they need
 * (runner/bin.ts). Their own dependencies stay external and are dbspec's dependencies.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const vendor = join(dist, 'vendor', 'slonik.js');

/** Everything but slonik itself stays an import of a package the user's install provides. */
const externalButSlonik: Plugin = {
  name: 'external-but-slonik',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      /^(slonik|@slonik\/)/.test(args.path) || args.kind === 'entry-point' ? undefined : { path: args.path, external: true },
    );
  },
};

const jsFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? jsFiles(join(dir, e.name)) : e.name.endsWith('.js') ? [join(dir, e.name)] : []));

/** `from 'slonik'` in the emitted code becomes the relative path of the bundle. */
const pointAtBundle = (): void => {
  for (const file of jsFiles(dist)) {
    if (file === vendor) continue;
    const text = readFileSync(file, 'utf8');
    if (!text.includes("from 'slonik'")) continue;
    const path = relative(dirname(file), vendor).split('\\').join('/');
    writeFileSync(file, text.replaceAll("from 'slonik'", `from '${path.startsWith('.') ? path : `./${path}`}'`));
  }
};

rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
await build({
  stdin: { contents: "export * from 'slonik';", resolveDir: root, sourcefile: 'slonik-entry.js' },
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outfile: vendor,
  plugins: [externalButSlonik],
  legalComments: 'inline',
  logLevel: 'warning',
});
pointAtBundle();
