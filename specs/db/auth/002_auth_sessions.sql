-- Login sessions. A session dies with its user (on delete cascade), can never expire before it began,
-- and once revoked stays revoked.
create table auth_sessions (
  id          uuid        primary key default gen_random_uuid(),
  user_id     uuid        not null references auth_users (id) on delete cascade,
  token_hash  text        not null,
  ip          inet,
  user_agent  text,
  created_at  timestamptz not null default now(),
  expires_at  timestamptz not null,
  revoked_at  timestamptz,
  constraint auth_sessions_token_hash_key unique (token_hash),
  constraint auth_sessions_expires_after_created check (expires_at > created_at),
  constraint auth_sessions_revoked_after_created check (revoked_at is null or revoked_at >= created_at)
);

create index auth_sessions_user_id_idx on auth_sessions (user_id);
-- The hot lookup: a user's live sessions.
create index auth_sessions_active_idx on auth_sessions (user_id, expires_at) where revoked_at is null;

create function auth_sessions_stay_revoked() returns trigger
language plpgsql as $$
begin
  if old.revoked_at is not null and new.revoked_at is distinct from old.revoked_at then
    raise exception 'session % is already revoked', old.id using errcode = '55000';
  end if;
  return new;
end $$;

create trigger auth_sessions_stay_revoked before update of revoked_at on auth_sessions
  for each row execute function auth_sessions_stay_revoked();
