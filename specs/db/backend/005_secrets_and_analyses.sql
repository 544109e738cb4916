-- Per-user secrets (API keys for tools and the like). Only ciphertext is stored: there is no column a
-- plaintext value could go into. The application encrypts with a key from the KMS named by key_id.
create table secrets (
  id          uuid        primary key default gen_random_uuid(),
  tenant_id   uuid        not null,
  user_id     uuid        not null,
  name        text        not null,
  ciphertext  bytea       not null,
  nonce       bytea       not null,
  key_id      text        not null,
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now(),
  constraint secrets_user_id_name_key unique (user_id, name),
  constraint secrets_user_fkey foreign key (user_id, tenant_id) references users (id, tenant_id) on delete cascade,
  constraint secrets_ciphertext_present check (octet_length(ciphertext) > 0),
  constraint secrets_nonce_length check (octet_length(nonce) = 12),
  constraint secrets_name_format check (name ~ '^[A-Za-z0-9_.-]{1,128}$')
);

create trigger secrets_touch before update on secrets for each row execute function touch_updated_at();
create trigger secrets_audit after insert or update or delete on secrets
  for each row execute function corpus_audit_row();

-- Analyses: long-running jobs whose result is a JSON document.
create table analyses (
  id            uuid        primary key default gen_random_uuid(),
  tenant_id     uuid        not null,
  user_id       uuid        not null,
  thread_id     uuid,
  name          text        not null,
  status        text        not null default 'pending',
  parameters    jsonb       not null default '{}'::jsonb,
  result        jsonb,
  error         text,
  created_at    timestamptz not null default now(),
  completed_at  timestamptz,
  constraint analyses_user_fkey foreign key (user_id, tenant_id) references users (id, tenant_id) on delete cascade,
  constraint analyses_thread_fkey foreign key (thread_id) references threads (id) on delete set null,
  constraint analyses_status_check check (status in ('pending', 'running', 'completed', 'failed')),
  constraint analyses_completed_has_result check (status <> 'completed' or (result is not null and completed_at is not null)),
  constraint analyses_failed_has_error check (status <> 'failed' or error is not null)
);
create index analyses_user_idx on analyses (user_id, created_at desc);
create index analyses_thread_idx on analyses (thread_id);

create trigger analyses_audit after insert or update or delete on analyses
  for each row execute function corpus_audit_row();
