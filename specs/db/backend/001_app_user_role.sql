-- The role the backend application connects as. It is not a superuser and not the tables' owner, so
-- row level security applies to it. Roles are cluster-wide and the same server may hold several copies of
-- this database (test runs side by side), so creating it must tolerate an existing one; everything else
-- these migrations create lives inside this database.
do $$
begin
  create role app_user nologin;
exception when duplicate_object then null;
end $$;

grant usage on schema public to app_user;
