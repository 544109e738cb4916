/**
 * What changed in the databases between two runs: schema objects added, removed or redefined, and migration
 * files added, removed or edited; and which newly failing steps a schema change plausibly explains (same
 * database, and the step's SQL names the object's table or the failure names the constraint). Pure.
 */
import type { RunResults, SchemaObject, StepResult } from './types.ts';

export type SchemaChange = {
  readonly db: string;
  readonly kind: SchemaObject['kind'];
  readonly name: string;
  readonly table?: string;
  readonly change: 'added' | 'removed' | 'changed';
  readonly old?: string;
  readonly next?: string;
};

export type MigrationChange = { readonly db: string; readonly name: string; readonly change: 'added' | 'removed' | 'edited' };

const keyOf = (o: SchemaObject): string => `${o.kind}\u0000${o.name}`;

export const diffSchemas = (old: RunResults, next: RunResults): SchemaChange[] => {
  const out: SchemaChange[] = [];
  for (const [db, facts] of Object.entries(next.databases)) {
    const before = old.databases[db]?.schema;
    const after = facts.schema;
    if (!before || !after || before.fingerprint === after.fingerprint) continue;
    const was = new Map(before.objects.map((o) => [keyOf(o), o]));
    const now = new Map(after.objects.map((o) => [keyOf(o), o]));
    const table = (o: SchemaObject) => (o.table !== undefined ? { table: o.table } : {});
    for (const [key, o] of now) {
      const p = was.get(key);
      if (!p) out.push({ db, kind: o.kind, name: o.name, ...table(o), change: 'added', next: o.definition });
      else if (p.definition !== o.definition)
        out.push({ db, kind: o.kind, name: o.name, ...table(o), change: 'changed', old: p.definition, next: o.definition });
    }
    for (const [key, o] of was) if (!now.has(key)) out.push({ db, kind: o.kind, name: o.name, ...table(o), change: 'removed', old: o.definition });
  }
  // A dropped table takes its columns, constraints and indexes with it: name the table alone. A unique or
  // primary key constraint comes with its index of the same name: name the constraint alone.
  const goneTables = new Set(out.filter((c) => c.kind === 'table' && c.change !== 'changed').map((c) => `${c.db}\u0000${c.change}\u0000${c.name}`));
  const constraints = new Set(out.filter((c) => c.kind === 'constraint').map((c) => `${c.db}\u0000${c.change}\u0000${c.name}`));
  return out.filter(
    (c) =>
      (c.kind === 'table' || c.table === undefined || !goneTables.has(`${c.db}\u0000${c.change}\u0000${c.table}`)) &&
      !(c.kind === 'index' && constraints.has(`${c.db}\u0000${c.change}\u0000${c.name}`)),
  );
};

export const diffMigrations = (old: RunResults, next: RunResults): MigrationChange[] => {
  const out: MigrationChange[] = [];
  for (const [db, facts] of Object.entries(next.databases)) {
    const before = old.databases[db]?.migrations;
    const after = facts.migrations;
    if (!before || !after) continue;
    const was = new Map(before.map((m) => [m.name, m.sha256]));
    const now = new Set(after.map((m) => m.name));
    for (const m of after) {
      const sha = was.get(m.name);
      if (sha === undefined) out.push({ db, name: m.name, change: 'added' });
      else if (sha !== m.sha256) out.push({ db, name: m.name, change: 'edited' });
    }
    for (const m of before) if (!now.has(m.name)) out.push({ db, name: m.name, change: 'removed' });
  }
  return out;
};

/** "constraint `auth_users_email_key` removed" (the object's own name, without schema and table). */
export const schemaChangeText = (c: SchemaChange): string => {
  const short = c.table !== undefined && c.name.startsWith(`${c.table}.`) ? c.name.slice(c.table.length + 1) : c.name.replace(/^public\./, '');
  const on = c.table !== undefined && c.kind !== 'column' ? ` on ${c.table.replace(/^public\./, '')}` : '';
  const what = c.kind === 'column' ? `${c.table!.replace(/^public\./, '')}.${short}` : short;
  return `${c.kind} \`${what}\`${on} ${c.change}${c.db ? ` (${c.db})` : ''}`;
};

const words = (text: string): Set<string> => new Set(text.toLowerCase().match(/[a-z_][a-z0-9_$]*/g) ?? []);

const lastPart = (name: string): string => name.slice(name.lastIndexOf('.') + 1).toLowerCase();

/** Does this schema change plausibly explain why this step fails now? */
export const explains = (c: SchemaChange, step: StepResult): boolean => {
  const dbs = (step.db ?? '').split(',').map((d) => d.trim());
  if (!dbs.includes(c.db)) return false;
  if (step.failure?.error?.constraint !== undefined && lastPart(c.name) === step.failure.error.constraint.toLowerCase()) return true;
  const said = words((step.sql ?? []).join('\n'));
  const table = c.table ?? (c.kind === 'table' ? c.name : undefined);
  if (table !== undefined && said.has(lastPart(table))) return true;
  return c.kind === 'function' && said.has(lastPart(c.name.replace(/\(.*$/, '')));
};
