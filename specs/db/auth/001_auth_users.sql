-- Accounts of the auth service. The id is the user's identity everywhere: the backend's users.id is the
-- same uuid. Emails are stored lower-case so that uniqueness cannot be dodged by changing case.
create table auth_users (
  id                    uuid        primary key default gen_random_uuid(),
  email                 text        not null,
  password_hash         text        not null,
  full_name             text,
  is_active             boolean     not null default true,
  email_verified        boolean     not null default false,
  failed_login_attempts integer     not null default 0,
  locked_until          timestamptz,
  last_login_at         timestamptz,
  created_at            timestamptz not null default now(),
  updated_at            timestamptz not null default now(),
  constraint auth_users_email_key unique (email),
  constraint auth_users_email_format check (email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
  constraint auth_users_email_lower check (email = lower(email)),
  constraint auth_users_password_hash_present check (length(password_hash) > 0),
  constraint auth_users_failed_logins_nonnegative check (failed_login_attempts >= 0)
);

create function auth_touch_updated_at() returns trigger
language plpgsql as $$
begin
  new.updated_at := now();
  return new;
end $$;

create trigger auth_users_touch before update on auth_users
  for each row execute function auth_touch_updated_at();
