-- Chat: assistants, threads, messages and agent runs. Every row carries its tenant, and composite foreign
-- keys make the tenant agree with its parent's.
create table assistants (
  id            uuid        primary key default gen_random_uuid(),
  tenant_id     uuid        not null,
  user_id       uuid        not null,
  name          text        not null,
  model         text        not null,
  instructions  text,
  tools         jsonb       not null default '[]'::jsonb,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  constraint assistants_id_tenant_key unique (id, tenant_id),
  constraint assistants_user_fkey foreign key (user_id, tenant_id) references users (id, tenant_id) on delete cascade,
  constraint assistants_name_present check (length(name) > 0),
  constraint assistants_tools_is_array check (jsonb_typeof(tools) = 'array')
);
create index assistants_user_idx on assistants (user_id);

create table threads (
  id          uuid        primary key default gen_random_uuid(),
  tenant_id   uuid        not null,
  user_id     uuid        not null,
  title       text,
  status      text        not null default 'active',
  metadata    jsonb       not null default '{}'::jsonb,
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now(),
  constraint threads_id_tenant_key unique (id, tenant_id),
  constraint threads_user_fkey foreign key (user_id, tenant_id) references users (id, tenant_id) on delete cascade,
  constraint threads_status_check check (status in ('active', 'archived'))
);
create index threads_user_idx on threads (user_id, updated_at desc);

create table messages (
  id          uuid        primary key default gen_random_uuid(),
  -- Total order of messages: created_at ties inside one transaction, seq does not.
  seq         bigint      generated always as identity,
  tenant_id   uuid        not null,
  thread_id   uuid        not null,
  role        text        not null,
  content     text        not null,
  metadata    jsonb       not null default '{}'::jsonb,
  created_at  timestamptz not null default now(),
  constraint messages_seq_key unique (seq),
  constraint messages_thread_fkey foreign key (thread_id, tenant_id) references threads (id, tenant_id) on delete cascade,
  constraint messages_role_check check (role in ('user', 'assistant', 'system', 'tool'))
);
create index messages_thread_idx on messages (thread_id, seq);

create table runs (
  id            uuid        primary key default gen_random_uuid(),
  tenant_id     uuid        not null,
  thread_id     uuid        not null,
  -- Null once the assistant is deleted: the run history stays.
  assistant_id  uuid,
  status        text        not null default 'queued',
  -- Which worker claimed the run; set when it moves to in_progress.
  worker        text,
  started_at    timestamptz,
  completed_at  timestamptz,
  last_error    text,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  constraint runs_thread_fkey foreign key (thread_id, tenant_id) references threads (id, tenant_id) on delete cascade,
  -- Deleting an assistant keeps its runs' history and clears the link (only assistant_id: tenant_id stays).
  -- Not "no action": deleting a user cascades to its assistants and its threads (and so runs) in one
  -- statement, and a no-action check may run before the threads' cascade has removed the runs.
  constraint runs_assistant_fkey foreign key (assistant_id, tenant_id) references assistants (id, tenant_id) on delete set null (assistant_id),
  constraint runs_status_check check (status in ('queued', 'in_progress', 'requires_action', 'completed', 'failed', 'cancelled', 'expired')),
  constraint runs_completed_after_started check (completed_at is null or started_at is null or completed_at >= started_at)
);
create index runs_thread_idx on runs (thread_id);
create index runs_assistant_idx on runs (assistant_id);
create index runs_queued_idx on runs (created_at) where status = 'queued';

-- A run moves forward only: queued -> in_progress -> (requires_action <-> in_progress) -> a final state.
-- Under READ COMMITTED a second worker's UPDATE waits for the first one's row lock and then sees the row
-- already in_progress, so this check is what stops two workers from both claiming one run.
create function runs_status_transition() returns trigger
language plpgsql as $$
begin
  if new.status = old.status then
    if new.status = 'in_progress' and new.worker is distinct from old.worker then
      raise exception 'run % is already claimed by %', old.id, old.worker using errcode = '55000';
    end if;
    return new;
  end if;
  if not (
       (old.status = 'queued' and new.status in ('in_progress', 'cancelled', 'expired'))
    or (old.status = 'in_progress' and new.status in ('requires_action', 'completed', 'failed', 'cancelled', 'expired'))
    or (old.status = 'requires_action' and new.status in ('in_progress', 'cancelled', 'expired'))
  ) then
    raise exception 'run % cannot move from % to %', old.id, old.status, new.status using errcode = '55000';
  end if;
  if new.status = 'in_progress' and new.started_at is null then
    new.started_at := now();
  end if;
  if new.status in ('completed', 'failed', 'cancelled', 'expired') and new.completed_at is null then
    new.completed_at := now();
  end if;
  return new;
end $$;

create trigger runs_status_transition before update on runs
  for each row execute function runs_status_transition();

create trigger assistants_touch before update on assistants for each row execute function touch_updated_at();
create trigger threads_touch before update on threads for each row execute function touch_updated_at();
create trigger runs_touch before update on runs for each row execute function touch_updated_at();

create trigger assistants_audit after insert or update or delete on assistants
  for each row execute function corpus_audit_row();
create trigger threads_audit after insert or update or delete on threads
  for each row execute function corpus_audit_row();
create trigger runs_audit after insert or update or delete on runs
  for each row execute function corpus_audit_row();

-- A new message makes its thread the most recent one.
create function messages_touch_thread() returns trigger
language plpgsql as $$
begin
  update threads set updated_at = now() where id = new.thread_id;
  return null;
end $$;

create trigger messages_touch_thread after insert on messages
  for each row execute function messages_touch_thread();
