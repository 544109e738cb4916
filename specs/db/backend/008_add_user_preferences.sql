-- Release 2 (expand phase of a zero-downtime change): applied while the previous release still runs, so
-- everything it writes must keep working.
--   * preferences: new, not null with a default, so existing rows read the default and inserts by the old
--     release (which does not know the column) still succeed;
--   * full_name is renamed display_name (the old release only ever reads it through the users_v1 view);
--   * email_domain: new, backfilled for existing rows by a re-runnable batch function and kept filled for
--     new rows by a trigger, so it never needs a NOT NULL rewrite of the table under load.
alter table users add column preferences jsonb not null default '{"theme": "system", "notifications": true}'::jsonb;
alter table users add constraint users_preferences_is_object check (jsonb_typeof(preferences) = 'object');

alter table users rename column full_name to display_name;

alter table users add column email_domain text;

create function backfill_users_email_domain(batch_size integer default 1000) returns bigint
language plpgsql as $$
declare
  total bigint := 0;
  n bigint;
begin
  loop
    update users set email_domain = split_part(email, '@', 2)
     where id in (select id from users where email_domain is null limit batch_size for update skip locked);
    get diagnostics n = row_count;
    total := total + n;
    exit when n = 0;
  end loop;
  return total;
end $$;

select backfill_users_email_domain();

create function users_set_email_domain() returns trigger
language plpgsql as $$
begin
  if tg_op = 'INSERT' or new.email is distinct from old.email then
    new.email_domain := split_part(new.email, '@', 2);
  end if;
  return new;
end $$;

create trigger users_set_email_domain before insert or update of email on users
  for each row execute function users_set_email_domain();

create index users_email_domain_idx on users (email_domain);

-- The previous release's view of a user, so its reads keep working until the contract phase.
create view users_v1 with (security_invoker = true) as
  select id, email, tenant_id, display_name as full_name, plan, is_active, created_at, updated_at from users;
grant select on users_v1 to app_user;
