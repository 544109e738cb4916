/**
 * Schema steps against the seed backend schema on PostgreSQL 15: one spec that asserts every kind of object
 * and passes, then for each kind one changed expectation that fails in plain words at the line it is on.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { EVENT_SCHEMA, RunEvents, type SchemaObservation } from '../../runner/execute/events.ts';
import { normalType } from '../../runner/execute/schema-match.ts';
import { applySchemaRecordings, startSchemaRecording } from '../../runner/update/record-schema.ts';
import { loadValidSpec, openScratch, runOne, type OpenScratch } from '../support/run-in-process.ts';
import { scratchDatabases, testServers, type ScratchDatabases } from '../support/servers.ts';

const SPEC = `name: the backend schema
steps:
  - name: users and threads look as release 2 left them
    schema:
      db: backend
      tables:
        users:
          columns:
            id: uuid
            email: { type: text, nullable: false }
            preferences: { type: jsonb, nullable: false }
            display_name: text
            created_at: timestamptz
          primary_key: [id]
          unique: [[email], [id, tenant_id]]
          checks: [users_preferences_is_object]
          indexes:
            users_email_domain_idx: [email_domain]
            users_email_key: { columns: [email], unique: true }
          row_level_security: { enabled: true, forced: true }
          policies:
            users_tenant_isolation: all
          triggers: [users_set_email_domain]
        threads:
          foreign_keys:
            - { columns: [user_id, tenant_id], references: "users(id, tenant_id)", on_delete: cascade }
        tool_usage_logs: {}
      functions: [backfill_users_email_domain]
`;

/** Each changed expectation: what to replace, the line it is on, the words the failure must use. */
const CHANGES: readonly { kind: string; from: string; to: string; line: number; says: RegExp }[] = [
  { kind: 'column type', from: 'id: uuid', to: 'id: bigint', line: 9, says: /column users\.id is uuid, expected bigint/ },
  {
    kind: 'nullability',
    from: 'display_name: text',
    to: 'display_name: { type: text, nullable: false }',
    line: 12,
    says: /users\.display_name is nullable, expected not null/,
  },
  { kind: 'missing column', from: 'created_at: timestamptz', to: 'full_name: text', line: 13, says: /table users has no column full_name/ },
  {
    kind: 'exact columns',
    from: '          primary_key: [id]',
    to: '          exact: true\n          primary_key: [id]',
    line: 7,
    says: /columns the spec does not list: tenant_id, plan/,
  },
  {
    kind: 'primary key',
    from: 'primary_key: [id]',
    to: 'primary_key: [id, tenant_id]',
    line: 14,
    says: /primary key of users is \(id\), expected \(id, tenant_id\)/,
  },
  {
    kind: 'unique',
    from: 'unique: [[email], [id, tenant_id]]',
    to: 'unique: [[email], [tenant_id]]',
    line: 15,
    says: /nothing makes users \(tenant_id\) unique/,
  },
  {
    kind: 'check',
    from: 'checks: [users_preferences_is_object]',
    to: 'checks: [users_preferences_check]',
    line: 16,
    says: /no check constraint users_preferences_check/,
  },
  {
    kind: 'index',
    from: 'users_email_domain_idx: [email_domain]',
    to: 'users_email_domain_idx: [email]',
    line: 18,
    says: /index users_email_domain_idx is on \(email_domain\), expected \(email\)/,
  },
  {
    kind: 'row level security',
    from: '{ enabled: true, forced: true }',
    to: '{ enabled: false }',
    line: 20,
    says: /row level security on users is enabled, expected disabled/,
  },
  {
    kind: 'policy',
    from: 'users_tenant_isolation: all',
    to: 'users_tenant_isolation: select',
    line: 22,
    says: /policy users_tenant_isolation on users applies to all, expected select/,
  },
  {
    kind: 'trigger',
    from: 'triggers: [users_set_email_domain]',
    to: 'triggers: [users_audit_row]',
    line: 23,
    says: /table users has no trigger users_audit_row/,
  },
  {
    kind: 'foreign key',
    from: 'on_delete: cascade',
    to: 'on_delete: restrict',
    line: 26,
    says: /foreign key threads \(user_id, tenant_id\) -> users\(id, tenant_id\) is on delete cascade, expected on delete restrict/,
  },
  { kind: 'table', from: 'tool_usage_logs: {}', to: 'tool_usage_log: {}', line: 27, says: /there is no table tool_usage_log in schema public/ },
  {
    kind: 'function',
    from: 'functions: [backfill_users_email_domain]',
    to: 'functions: [backfill_email_domains]',
    line: 28,
    says: /there is no function backfill_email_domains in schema public/,
  },
];

describe('schema steps', function () {
  this.timeout(120_000);
  let dir: string;
  let scratch: ScratchDatabases;
  let open: OpenScratch;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dbspec-schema-'));
    const [local] = await testServers();
    scratch = await scratchDatabases(local!, ['backend']);
    open = await openScratch(scratch.urls, dir);
  });
  after(async () => {
    await open?.close();
    await scratch?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  const run = async (name: string, text: string, events?: RunEvents) => {
    await writeFile(join(dir, name), text);
    const spec = await loadValidSpec(name, ['backend'], dir);
    const hooks = events ? { onSchema: (o: SchemaObservation) => events.emit(EVENT_SCHEMA, o) } : {};
    return (await runOne(spec, open.databases, undefined, hooks)).steps.find((s) => s.kind === 'schema')!;
  };

  it('reads the short type names PostgreSQL accepts as format_type writes them', () => {
    assert.equal(normalType('varchar(255)'), 'character varying(255)');
    assert.equal(normalType('timestamptz'), 'timestamp with time zone');
    assert.equal(normalType('INT'), 'integer');
    assert.equal(normalType('int8[]'), 'bigint[]');
  });

  it('passes when every object is as written', async () => {
    const step = await run('ok.spec.yaml', SPEC);
    assert.equal(step.status, 'passed', step.failure?.message);
  });

  it('--update records a table written {} or not as it is, and the recorded step then passes', async () => {
    const text = `name: recorded
steps:
  - name: threads as it is
    schema:
      db: backend
      tables:
        threads: {}   # record me
        users:
          primary_key: [id, email]
`;
    await writeFile(join(dir, 'record.spec.yaml'), text);
    const events = new RunEvents();
    const recording = startSchemaRecording(events);
    const before = await run('record.spec.yaml', text, events);
    assert.equal(before.status, 'failed');
    const changes = await applySchemaRecordings(recording.finish(), dir);
    assert.deepEqual(
      changes.map((c) => [c.table, c.skipped]),
      [
        ['threads', undefined],
        ['users', undefined],
      ],
    );
    const written = await readFile(join(dir, 'record.spec.yaml'), 'utf8');
    assert.match(written, /^name: recorded\nsteps:\n {2}- name: threads as it is\n/);
    assert.match(written, /\n {12}id: \{ type: uuid, nullable: false \}\n/);
    assert.match(written, /foreign_keys:\n {12}- \{ columns: \[user_id, tenant_id\], references: "users\(id, tenant_id\)", on_delete: cascade \}/);
    assert.match(written, /policies:\n {12}threads_tenant_isolation: all/);
    const after = await run('record.spec.yaml', written);
    assert.equal(after.status, 'passed', `${after.failure?.message}\n${written}`);
  });

  for (const change of CHANGES) {
    it(`fails in plain words on a different ${change.kind}, at its line`, async () => {
      assert.ok(SPEC.includes(change.from), change.from);
      const step = await run(`${change.kind.replaceAll(' ', '-')}.spec.yaml`, SPEC.replace(change.from, change.to));
      assert.equal(step.failure?.code, 'SCHEMA_MISMATCH');
      assert.match(step.failure!.message, change.says);
      assert.match(step.failure!.location!, new RegExp(`:${change.line}:`));
    });
  }
});

describe('schema steps on the embedded PostgreSQL 18', function () {
  this.timeout(120_000);
  let dir: string;
  let scratch: ScratchDatabases;
  let open: OpenScratch;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dbspec-schema18-'));
    const embedded = (await testServers()).find((s) => s.label === 'pg18 embedded')!;
    scratch = await scratchDatabases(embedded, ['backend']);
    open = await openScratch(scratch.urls, dir);
  });
  after(async () => {
    await open?.close();
    await scratch?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('reads the catalog the same way (PostgreSQL 18 lists NOT NULL as constraints too)', async () => {
    await writeFile(join(dir, 'ok.spec.yaml'), SPEC);
    const passed = (await runOne(await loadValidSpec('ok.spec.yaml', ['backend'], dir), open.databases)).steps.find((s) => s.kind === 'schema')!;
    assert.equal(passed.status, 'passed', passed.failure?.message);
    await writeFile(join(dir, 'pk.spec.yaml'), SPEC.replace('primary_key: [id]', 'primary_key: [id, tenant_id]'));
    const failed = (await runOne(await loadValidSpec('pk.spec.yaml', ['backend'], dir), open.databases)).steps.find((s) => s.kind === 'schema')!;
    assert.match(failed.failure?.message ?? '', /primary key of users is \(id\), expected \(id, tenant_id\)/);
  });
});
