#!/usr/bin/env node
/**
 * The installed package's `dbspec` command (compiled to dist/bin.js): runs on whatever Node the user has,
 * 20.19 or later. It sets up what the source entry (cli.ts) gets from its shebang and from Node 24, then runs it.
 */
import { setFlagsFromString } from 'node:v8';
import { enableCompileCache } from './compile-cache.ts';
import './node20.ts';

// No optimizing tier for the SQL parser's WebAssembly (0.4 s of CPU and a ~550 MB memory spike per thread,
// no gain). bin/dbspec.js's first line passes --liftoff-only to node, which is what counts: Node 24's V8
// freezes its flags at start-up, so this late setting helps only older Nodes and a bare `node dist/bin.js`
// there (measured: 5,000 specs validate in 270 MB with the flag on the command line, 790 MB without).
if (!process.execArgv.includes('--liftoff-only')) setFlagsFromString('--liftoff-only');
// A young generation of 4 MB semi-spaces (V8 grows them to 16+ MB, and the old generation with them): a
// 500-spec run peaked at 290 MB with V8's default and 173 MB with this, for the same CPU time (issue 18).
// Node 22.1+ keeps V8's compiled code of dbspec's modules on disk: later start-ups skip compiling ~400
// modules (issue 18). In the project's node_modules/.cache beside the validation cache, else Node's default.
enableCompileCache();
const { runAsProcess } = await import('./cli.ts');
await runAsProcess(process.argv.slice(2));
