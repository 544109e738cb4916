-- Tenant isolation enforced by the database. The application runs as app_user and declares its tenant per
-- transaction: select set_config('app.tenant_id', '<uuid>', true). With no tenant declared, every policy
-- sees NULL and matches nothing. (nullif: once set locally in a session, the setting reads '' afterwards.)
-- FORCE makes the policies apply to the tables' owner too; only superusers and BYPASSRLS roles skip them.
-- Written out table by table rather than in a loop of dynamic SQL, so that every policy is a statement
-- tools can see (dbspec prove makes a mutant of each).

alter table users enable row level security, force row level security;
create policy users_tenant_isolation on users
  using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

alter table assistants enable row level security, force row level security;
create policy assistants_tenant_isolation on assistants
  using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

alter table threads enable row level security, force row level security;
create policy threads_tenant_isolation on threads
  using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

alter table messages enable row level security, force row level security;
create policy messages_tenant_isolation on messages
  using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

alter table runs enable row level security, force row level security;
create policy runs_tenant_isolation on runs
  using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

alter table secrets enable row level security, force row level security;
create policy secrets_tenant_isolation on secrets
  using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

alter table analyses enable row level security, force row level security;
create policy analyses_tenant_isolation on analyses
  using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

alter table tool_usage_logs enable row level security, force row level security;
create policy tool_usage_logs_tenant_isolation on tool_usage_logs
  using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

alter table corpus_audit_logs enable row level security, force row level security;
create policy corpus_audit_logs_tenant_isolation on corpus_audit_logs
  using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

-- What the application may do. Billing and audit rows are never changed or removed by the application.
grant select, insert, update, delete on users, assistants, threads, messages, runs, secrets, analyses to app_user;
grant select, insert on tool_usage_logs to app_user;
grant select on corpus_audit_logs to app_user;
