/**
 * `npm run bench -- package`: what `npm pack` puts in the tarball, its size against the 1 MB target, and the
 * whole file list (test/package/install.test.ts checks the same tarball holds nothing it should not).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packInto } from '../support/package.ts';

const dir = await mkdtemp(join(tmpdir(), 'dbspec-pack-bench-'));
try {
  const started = performance.now();
  const packed = await packInto(dir);
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} kB`;
  process.stdout.write(
    `${packed.tarball.split('/').at(-1)}: ${kb(packed.size)} packed (target < 1024 kB), ${kb(packed.unpackedSize)} unpacked, ${packed.files.length} files; build + pack ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
  );
  for (const file of [...packed.files].sort((a, b) => a.path.localeCompare(b.path))) process.stdout.write(`  ${kb(file.size).padStart(7)}  ${file.path}\n`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
