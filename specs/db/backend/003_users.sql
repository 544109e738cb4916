-- Backend user profiles. The id is the auth service's auth_users.id (no default: the backend never
-- invents identities). (id, tenant_id) is unique so that tenant data can reference a user *within* a
-- tenant: a thread can never belong to tenant A and to a user of tenant B.
create table users (
  id          uuid        primary key,
  email       text        not null,
  tenant_id   uuid        not null,
  full_name   text,
  plan        text        not null default 'free',
  is_active   boolean     not null default true,
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now(),
  constraint users_email_key unique (email),
  constraint users_id_tenant_key unique (id, tenant_id),
  constraint users_email_lower check (email = lower(email)),
  constraint users_plan_check check (plan in ('free', 'early', 'mid', 'enterprise'))
);

create index users_tenant_idx on users (tenant_id);

create trigger users_touch before update on users for each row execute function touch_updated_at();
create trigger users_audit after insert or update or delete on users
  for each row execute function corpus_audit_row();
