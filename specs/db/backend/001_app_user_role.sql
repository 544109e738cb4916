-- The role the backend application connects as. It is not a superuser and not the tables' owner, so
-- row level security applies to it. Roles are cluster-wide and the same server may hold several copies of
-- this database (test runs side by side), so creating it must tolerate an existing one; everything else
-- these migrations create lives inside this database. Two copies migrated at the same moment race on
-- the role's catalog row: the loser sees unique_violation rather than duplicate_object.
do $$
begin
  create role app_user nologin;
exception when duplicate_object or unique_violation then null;
end $$;

grant usage on schema public to app_user;
