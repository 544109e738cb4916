-- Security audit trail. user_id deliberately has no foreign key: the trail must outlive the account it
-- describes (a deleted user's history is exactly what an auditor asks for). Rows are written by triggers,
-- so no code path can create a user or a session without leaving a trace, and rows cannot be edited.
create table auth_audit_log (
  id          bigint      generated always as identity primary key,
  event_type  text        not null,
  user_id     uuid,
  email       text,
  ip          inet,
  details     jsonb       not null default '{}'::jsonb,
  created_at  timestamptz not null default now(),
  constraint auth_audit_log_event_type_check check (event_type in (
    'user_created', 'user_updated', 'user_deactivated', 'user_reactivated', 'user_deleted',
    'login', 'login_failed', 'logout', 'password_changed', 'permission_denied'))
);

create index auth_audit_log_user_idx on auth_audit_log (user_id, created_at);
create index auth_audit_log_event_idx on auth_audit_log (event_type, created_at);

create function auth_audit_users() returns trigger
language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    insert into auth_audit_log (event_type, user_id, email, details)
    values ('user_created', new.id, new.email, jsonb_build_object('email_verified', new.email_verified));
  elsif tg_op = 'DELETE' then
    insert into auth_audit_log (event_type, user_id, email) values ('user_deleted', old.id, old.email);
  elsif new.is_active is distinct from old.is_active then
    insert into auth_audit_log (event_type, user_id, email)
    values (case when new.is_active then 'user_reactivated' else 'user_deactivated' end, new.id, new.email);
  elsif new.password_hash is distinct from old.password_hash then
    insert into auth_audit_log (event_type, user_id, email) values ('password_changed', new.id, new.email);
  elsif new.email is distinct from old.email then
    insert into auth_audit_log (event_type, user_id, email, details)
    values ('user_updated', new.id, new.email, jsonb_build_object('old_email', old.email));
  end if;
  return null;
end $$;

create trigger auth_users_audit after insert or update or delete on auth_users
  for each row execute function auth_audit_users();

-- A new session is a successful login; revoking it is a logout.
create function auth_audit_sessions() returns trigger
language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    insert into auth_audit_log (event_type, user_id, ip, details)
    values ('login', new.user_id, new.ip, jsonb_build_object('session_id', new.id, 'user_agent', new.user_agent));
  elsif old.revoked_at is null and new.revoked_at is not null then
    insert into auth_audit_log (event_type, user_id, ip, details)
    values ('logout', new.user_id, new.ip, jsonb_build_object('session_id', new.id));
  end if;
  return null;
end $$;

create trigger auth_sessions_audit after insert or update on auth_sessions
  for each row execute function auth_audit_sessions();

-- Audit rows are append-only: retention may delete old rows, nobody may rewrite them.
create function auth_audit_log_immutable() returns trigger
language plpgsql as $$
begin
  raise exception 'auth_audit_log is append-only' using errcode = '42501';
end $$;

create trigger auth_audit_log_no_update before update on auth_audit_log
  for each row execute function auth_audit_log_immutable();

-- Failed logins are recorded by the service (there is no row to hang a trigger on); this also counts
-- them on the account and locks it after five in a row.
create function auth_record_failed_login(p_email text, p_ip inet) returns integer
language plpgsql as $$
declare
  attempts integer;
  uid uuid;
begin
  update auth_users
     set failed_login_attempts = failed_login_attempts + 1,
         locked_until = case when failed_login_attempts + 1 >= 5 then now() + interval '15 minutes' else locked_until end
   where email = lower(p_email)
  returning id, failed_login_attempts into uid, attempts;
  insert into auth_audit_log (event_type, user_id, email, ip, details)
  values ('login_failed', uid, lower(p_email), p_ip, jsonb_build_object('attempts', coalesce(attempts, 0)));
  return coalesce(attempts, 0);
end $$;
