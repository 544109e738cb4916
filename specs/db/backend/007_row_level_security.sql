-- Tenant isolation enforced by the database. The application runs as app_user and declares its tenant per
-- transaction: select set_config('app.tenant_id', '<uuid>', true). With no tenant declared, every policy
-- sees NULL and matches nothing. (nullif: once set locally in a session, the setting reads '' afterwards.)
-- FORCE makes the policies apply to the tables' owner too; only superusers and BYPASSRLS roles skip them.
do $$
declare
  t text;
begin
  foreach t in array array['users', 'assistants', 'threads', 'messages', 'runs', 'secrets', 'analyses',
                           'tool_usage_logs', 'corpus_audit_logs'] loop
    execute format('alter table %I enable row level security', t);
    execute format('alter table %I force row level security', t);
    execute format($p$create policy %I on %I
                        using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
                        with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)$p$,
                   t || '_tenant_isolation', t);
  end loop;
end $$;

-- What the application may do. Billing and audit rows are never changed or removed by the application.
grant select, insert, update, delete on users, assistants, threads, messages, runs, secrets, analyses to app_user;
grant select, insert on tool_usage_logs to app_user;
grant select on corpus_audit_logs to app_user;
