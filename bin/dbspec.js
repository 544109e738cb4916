#!/usr/bin/env -S MALLOC_ARENA_MAX=1 node --liftoff-only --max-semi-space-size=4 --heap-growing-percent=50
// The package's `dbspec` command. Installed, it runs the compiled dist/ (built when the package is packed).
// In a checkout of dbspec itself, where Node 24 is pinned and strips types, it runs the TypeScript sources,
// so `npx dbspec` there needs no build and never runs a stale one.
import { existsSync } from 'node:fs';

const source = new URL('../runner/bin.ts', import.meta.url);
const built = new URL('../dist/bin.js', import.meta.url);
if (process.features.typescript && existsSync(source)) await import(source.href);
else if (existsSync(built)) await import(built.href);
else {
  // A git-URL install packs without building (npm runs only `prepare` there, and dbspec builds at `prepack`).
  process.stderr.write(
    existsSync(source)
      ? 'dbspec: this checkout has no build; use Node 24 here (npx uses the pinned one) or run `npm run build`\n'
      : 'dbspec: this install has no compiled code (dist/); install dbspec from the registry or from a tarball made by `npm pack`\n',
  );
  process.exitCode = 2;
}
