-- Tool usage, the source of billing. Rows are kept when the thread or run they belong to goes away
-- (on delete set null), and a user with billing history cannot be deleted out from under it (no action).
create table tool_usage_logs (
  id           bigint        generated always as identity primary key,
  tenant_id    uuid          not null,
  user_id      uuid          not null,
  thread_id    uuid,
  run_id       uuid,
  tool_name    text          not null,
  tokens_used  bigint        not null,
  cost_cents   numeric(12,2) not null,
  duration_ms  integer,
  status       text          not null default 'success',
  created_at   timestamptz   not null default now(),
  constraint tool_usage_logs_user_fkey foreign key (user_id, tenant_id) references users (id, tenant_id),
  constraint tool_usage_logs_thread_fkey foreign key (thread_id) references threads (id) on delete set null,
  constraint tool_usage_logs_run_fkey foreign key (run_id) references runs (id) on delete set null,
  constraint tool_usage_logs_tokens_nonnegative check (tokens_used >= 0),
  constraint tool_usage_logs_cost_nonnegative check (cost_cents >= 0),
  constraint tool_usage_logs_duration_nonnegative check (duration_ms is null or duration_ms >= 0),
  constraint tool_usage_logs_status_check check (status in ('success', 'error', 'timeout'))
);
create index tool_usage_logs_user_idx on tool_usage_logs (user_id, created_at);
create index tool_usage_logs_tenant_idx on tool_usage_logs (tenant_id, created_at);
create index tool_usage_logs_tool_idx on tool_usage_logs (tool_name, created_at);
create index tool_usage_logs_thread_idx on tool_usage_logs (thread_id);
create index tool_usage_logs_run_idx on tool_usage_logs (run_id);
