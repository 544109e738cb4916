#!/usr/bin/env node
// The package's `dbspec` command. Installed, it runs the compiled dist/ (built when the package is packed).
// In a checkout of dbspec itself, where Node 24 is pinned and strips types, it runs the TypeScript sources,
// so `npx dbspec` there needs no build and never runs a stale one.
import { existsSync } from 'node:fs';

const source = new URL('../runner/bin.ts', import.meta.url);
await import(process.features.typescript && existsSync(source) ? source.href : new URL('../dist/bin.js', import.meta.url).href);
