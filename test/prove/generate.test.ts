/**
 * Mutant generation is a pure function of the migrations' parse trees: every kind appears, at the line
 * of the clause it takes away, with the statement that takes it away or the rewritten migration.
 */
import assert from 'node:assert/strict';
import { generateMutants } from '../../runner/prove/generate.ts';
import type { Mutant } from '../../runner/prove/mutant.ts';
import { ensureParser } from '../../runner/sql/split.ts';
import { everyKindMigrations } from '../support/prove-schema.ts';

const summary = (m: Mutant): string => `${m.kind} ${m.object} ${m.file}:${m.line}`;

describe('prove: mutant generation', () => {
  let mutants: readonly Mutant[];
  before(async () => {
    await ensureParser();
    mutants = generateMutants('app', everyKindMigrations('reader')).mutants;
  });
  const find = (kind: string, object: string): Mutant => {
    const found = mutants.find((m) => m.kind === kind && m.object === object);
    assert.ok(found, `no ${kind} of ${object} among:\n${mutants.map(summary).join('\n')}`);
    return found;
  };
  const sqlOf = (m: Mutant): string => (m.change.kind === 'compensate' ? m.change.sql : assert.fail('expected a compensating statement'));
  const textOf = (m: Mutant): string => (m.change.kind === 'rewrite' ? m.change.text : assert.fail('expected a rewrite'));

  it('names every key, foreign key and check as PostgreSQL does, at its own line', () => {
    assert.equal(summary(find('drop-primary-key', 'parents_pkey')), 'drop-primary-key parents_pkey db/app/001_parents.sql:4');
    assert.equal(summary(find('drop-unique', 'parents_code_key')), 'drop-unique parents_code_key db/app/001_parents.sql:6');
    assert.equal(summary(find('drop-foreign-key', 'children_parent_id_fkey')), 'drop-foreign-key children_parent_id_fkey db/app/001_parents.sql:10');
    assert.equal(summary(find('drop-check', 'children_qty_check')), 'drop-check children_qty_check db/app/001_parents.sql:12');
    assert.equal(sqlOf(find('drop-unique', 'parents_code_key')), 'alter table "parents" drop constraint "parents_code_key"');
    assert.deepEqual(find('drop-foreign-key', 'children_parent_id_fkey').tables, ['children', 'parents']);
  });

  it('drops not null and defaults under the names a later rename gives the column', () => {
    assert.equal(sqlOf(find('drop-not-null', 'parents.label')), 'alter table "parents" alter column "label" drop not null');
    assert.equal(sqlOf(find('drop-default', 'parents.label')), 'alter table "parents" alter column "label" drop default');
    assert.equal(sqlOf(find('drop-default', 'children.qty')), 'alter table "children" alter column "qty" drop default');
    assert.equal(sqlOf(find('drop-not-null', 'children.other_id')), 'alter table "children" alter column "other_id" drop not null');
    // A primary key column's not null is the key's: no mutant of its own.
    assert.equal(
      mutants.some((m) => m.kind === 'drop-not-null' && m.object === 'parents.id'),
      false,
    );
  });

  it('changes on delete in the migration text: cascade to no action, none to cascade after match', () => {
    const cascade = textOf(find('change-on-delete', 'children_parent_id_fkey'));
    assert.match(cascade, /references parents \(id\) on delete no action,\n/);
    const none = textOf(find('change-on-delete', 'children_other_fkey'));
    assert.match(none, /references parents \(id\) match full on delete cascade\n/);
    assert.equal(cascade.split('\n').length, everyKindMigrations('reader')[0]!.text.split('\n').length);
  });

  it('drops triggers, policies and unique indexes; disables row level security', () => {
    assert.equal(sqlOf(find('drop-trigger', 'children_touch')), 'drop trigger "children_touch" on "children"');
    assert.equal(sqlOf(find('drop-policy', 'children_mine')), 'drop policy "children_mine" on "children"');
    assert.equal(sqlOf(find('drop-unique-index', 'children_qty_idx')), 'drop index "children_qty_idx"');
    assert.equal(sqlOf(find('disable-rls', 'children')), 'alter table "children" disable row level security');
    assert.equal(find('drop-trigger', 'children_touch').line, 3);
  });

  it('weakens a grant by one privilege at a time: a revoke afterwards when exact, else the grant rewritten; removes a revoke', () => {
    assert.equal(sqlOf(find('weaken-grant', 'select on parents to reader')), 'revoke select on "parents" from "reader"');
    const del = find('weaken-grant', 'delete on parents to reader');
    assert.deepEqual(del.change.kind === 'compensate' && del.change.restore, { kind: 'statement', sql: 'grant delete on "parents" to "reader"' });
    const revoke = textOf(find('weaken-revoke', 'revoke usage on public from public'));
    assert.doesNotMatch(revoke, /revoke/);
    assert.equal(revoke.split('\n').length, everyKindMigrations('reader')[1]!.text.split('\n').length);
    // Another grant of select on parents to reader: a revoke would take that one too, so the text is rewritten.
    const overlapping = generateMutants('app', [
      { name: '001_g.sql', file: 'g.sql', text: 'grant select, delete on parents to reader;\ngrant select on parents, children to reader, writer;\n' },
    ]).mutants;
    const rewritten = overlapping.find((m) => m.object === 'select on parents to reader')!;
    assert.equal(rewritten.change.kind, 'rewrite');
    assert.match(textOf(rewritten), /^grant delete on parents to reader;$/m);
    // The grant of a single privilege disappears, its line kept (as spaces).
    assert.equal(
      textOf(overlapping.find((m) => m.object === 'select on parents, children to reader, writer')!)
        .split('\n')[1]!
        .trim(),
      ';',
    );
    assert.equal(overlapping.find((m) => m.object === 'delete on parents to reader')!.change.kind, 'compensate');
  });

  it('gives every mutant a distinct, stable id and notes DO blocks it cannot look into', () => {
    assert.equal(new Set(mutants.map((m) => m.id)).size, mutants.length);
    const again = generateMutants('app', everyKindMigrations('reader')).mutants;
    assert.deepEqual(
      again.map((m) => m.id),
      mutants.map((m) => m.id),
    );
    const { notes } = generateMutants('app', [{ name: '001_x.sql', file: 'x.sql', text: 'select 1;\ndo $$ begin null; end $$;' }]);
    assert.deepEqual(
      notes.map((n) => `${n.file}:${n.line}`),
      ['x.sql:2'],
    );
  });
});
