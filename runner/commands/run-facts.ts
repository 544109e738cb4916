/**
 * What a run records about its surroundings besides outcomes: per database its server, migration files and
 * schema snapshot (taken once the migrations are applied, before any spec runs), per spec its source files,
 * and the selection it ran.
 */
import { join } from 'node:path';
import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import { migrationChecksums } from '../db/migrations.ts';
import { takeSchemaSnapshot } from '../db/schema-snapshot.ts';
import { specKey } from '../plan/select.ts';
import type { DatabaseFacts, SpecResult, SpecSource } from '../results/types.ts';

/** Facts that cannot be read (a role without catalog access) are left out rather than failing the run. */
const optional = async <T>(work: () => Promise<T>): Promise<T | undefined> => {
  try {
    return await work();
  } catch {
    return undefined;
  }
};

export const databaseFacts = async (config: Config, databases: ReadonlyMap<string, Database>): Promise<Record<string, DatabaseFacts>> => {
  const entries = await Promise.all(
    [...databases].map(async ([name, db]) => {
      const configured = config.databases.find((d) => d.name === name);
      const migrations = configured ? await optional(() => migrationChecksums(join(config.root, configured.migrations), config.root)) : undefined;
      const schema = await optional(() => takeSchemaSnapshot(db));
      const facts: DatabaseFacts = {
        serverVersion: db.serverVersion,
        embedded: db.embedded,
        ...(migrations ? { migrations } : {}),
        ...(schema ? { schema } : {}),
      };
      return [name, facts] as const;
    }),
  );
  return Object.fromEntries(entries);
};

export const withSources = (specs: readonly SpecResult[], sources: ReadonlyMap<string, SpecSource>): SpecResult[] =>
  specs.map((spec) => {
    const source = sources.get(specKey(spec));
    return source ? { ...spec, source } : spec;
  });
