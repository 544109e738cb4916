/**
 * A small schema with one of every kind of guarantee `dbspec prove` makes mutants of, shared by the
 * generation and application tests (which build it on a server of their own: it creates a role).
 */
export const everyKindMigrations = (role: string) => [
  {
    name: '001_parents.sql',
    file: 'db/app/001_parents.sql',
    text: `-- parents and their children
do $$ begin create role ${role} nologin; exception when duplicate_object then null; end $$;
create table parents (
  id    integer primary key,
  code  text not null default 'p',
  constraint parents_code_key unique (code)
);
create table children (
  id         integer primary key,
  parent_id  integer references parents (id) on delete cascade,
  other_id   integer,
  qty        integer check (qty > 0),
  constraint children_other_fkey foreign key (other_id) references parents (id) match full
);
`,
  },
  {
    name: '002_rules.sql',
    file: 'db/app/002_rules.sql',
    text: `create unique index children_qty_idx on children (qty) where qty > 100;
create function children_touch() returns trigger language plpgsql as $$ begin return new; end $$;
create trigger children_touch before update on children for each row execute function children_touch();
alter table children enable row level security;
create policy children_mine on children using (qty > 0);
alter table children alter column qty set default 1;
alter table children alter column other_id set not null;
grant select, delete on parents to ${role};
revoke usage on schema public from public;
alter table parents rename column code to label;
`,
  },
];
