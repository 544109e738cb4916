-- Business audit trail. Written only by triggers (a security definer function), so the application role
-- can read its own tenant's trail but can neither write nor alter it.
create table corpus_audit_logs (
  id             bigint      generated always as identity primary key,
  tenant_id      uuid        not null,
  user_id        uuid,
  action         text        not null,
  resource_type  text        not null,
  resource_id    uuid        not null,
  -- Who acted, as the application declared it with set_config('app.user_id', ...); null when not declared.
  actor_id       uuid,
  details        jsonb       not null default '{}'::jsonb,
  created_at     timestamptz not null default now(),
  constraint corpus_audit_logs_action_check check (action in ('create', 'update', 'delete'))
);

create index corpus_audit_logs_tenant_idx on corpus_audit_logs (tenant_id, created_at);
create index corpus_audit_logs_resource_idx on corpus_audit_logs (resource_type, resource_id);
create index corpus_audit_logs_user_idx on corpus_audit_logs (user_id);

-- One function for every audited table. For updates it records which columns changed, never their values:
-- the audited tables include secrets, and an audit trail must not become a copy of the ciphertext.
create function corpus_audit_row() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
declare
  r jsonb;
  changed jsonb := '[]'::jsonb;
begin
  r := case when tg_op = 'DELETE' then to_jsonb(old) else to_jsonb(new) end;
  if tg_op = 'UPDATE' then
    select coalesce(jsonb_agg(n.key order by n.key), '[]'::jsonb) into changed
      from jsonb_each(to_jsonb(new)) n
     where n.value is distinct from to_jsonb(old) -> n.key and n.key <> 'updated_at';
    if changed = '[]'::jsonb then
      return null;
    end if;
  end if;
  insert into corpus_audit_logs (tenant_id, user_id, action, resource_type, resource_id, actor_id, details)
  values (
    (r ->> 'tenant_id')::uuid,
    case when tg_table_name = 'users' then (r ->> 'id')::uuid else (r ->> 'user_id')::uuid end,
    case tg_op when 'INSERT' then 'create' when 'UPDATE' then 'update' else 'delete' end,
    tg_table_name,
    (r ->> 'id')::uuid,
    nullif(current_setting('app.user_id', true), '')::uuid,
    case when tg_op = 'UPDATE' then jsonb_build_object('changed', changed) else '{}'::jsonb end);
  return null;
end $$;

-- Audit rows are append-only for everyone: retention may delete old rows, nobody may rewrite them.
create function corpus_audit_logs_immutable() returns trigger
language plpgsql as $$
begin
  raise exception 'corpus_audit_logs is append-only' using errcode = '42501';
end $$;

create trigger corpus_audit_logs_no_update before update on corpus_audit_logs
  for each row execute function corpus_audit_logs_immutable();

create function touch_updated_at() returns trigger
language plpgsql as $$
begin
  new.updated_at := now();
  return new;
end $$;
