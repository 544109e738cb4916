#!/usr/bin/env node
/**
 * The installed package's `dbspec` command (compiled to dist/bin.js): runs on whatever Node the user has,
 * 20.19 or later. It sets up what the source entry (cli.ts) gets from its shebang and from Node 24, then runs it.
 */
import { setFlagsFromString } from 'node:v8';
import './node20.ts';

// As cli.ts's shebang does: no optimizing tier for the SQL parser's WebAssembly (0.4 s of CPU and a ~550 MB
// memory spike per thread, no gain). Set before that module compiles, which happens on first parse.
setFlagsFromString('--liftoff-only');
const { runAsProcess } = await import('./cli.ts');
await runAsProcess(process.argv.slice(2));
