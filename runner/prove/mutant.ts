/**
 * A mutant: one guarantee of the schema taken away, and how to build a database without it. Pure data,
 * produced from migration parse trees by the functions in this folder.
 */

export type MutantKind =
  | 'drop-primary-key'
  | 'drop-unique'
  | 'drop-foreign-key'
  | 'drop-check'
  | 'drop-not-null'
  | 'change-on-delete'
  | 'drop-trigger'
  | 'drop-policy'
  | 'disable-rls'
  | 'drop-default'
  | 'drop-unique-index'
  | 'weaken-grant'
  | 'weaken-revoke';

/**
 * What puts a compensated guarantee back in place, so one database can serve many mutants (see
 * db/schema-restore.ts, which reads the object's definition from the catalog before the change). Absent
 * when no restore is exact: a foreign key re-added fires after the table's other keys.
 * `table`, and `name` of an index, are SQL text (quoted, maybe qualified).
 */
export type Restore =
  | { readonly kind: 'constraint'; readonly table: string; readonly name: string }
  | { readonly kind: 'not-null' | 'default'; readonly table: string; readonly column: string }
  | { readonly kind: 'trigger' | 'policy'; readonly table: string; readonly name: string }
  | { readonly kind: 'row-security'; readonly table: string }
  | { readonly kind: 'index'; readonly name: string }
  /** A statement that needs nothing from the catalog (a grant given back). */
  | { readonly kind: 'statement'; readonly sql: string };

/** A migration file as read: `file` is the path shown to people (relative to the config's folder). */
export type MigrationSource = { readonly name: string; readonly file: string; readonly text: string };

/**
 * How the mutant database is built. `compensate`: the original migrations, then one statement that undoes
 * the guarantee (used where that ends in exactly the schema the changed migration would give). `rewrite`:
 * the migrations with one file's text changed (where no statement afterwards could be exact).
 */
export type MutantChange =
  | { readonly kind: 'compensate'; readonly sql: string; readonly restore?: Restore }
  | { readonly kind: 'rewrite'; readonly migration: string; readonly text: string };

export type Mutant = {
  /** Stable across runs: database, file, line, kind and object. */
  readonly id: string;
  readonly database: string;
  readonly kind: MutantKind;
  /** The constraint, trigger, policy, index, column or privilege the mutant takes away. */
  readonly object: string;
  /** The tables whose behaviour changes (specs naming one of them are run). */
  readonly tables: readonly string[];
  readonly file: string;
  readonly line: number;
  /** What the mutant does, in words: "drops unique constraint `auth_users_email_key`". */
  readonly description: string;
  readonly change: MutantChange;
};

/** Something the generator could not look into, e.g. a DO block: its objects get no mutants. */
export type ProveNote = { readonly file: string; readonly line: number; readonly message: string };
