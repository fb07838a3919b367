-- The app's database role: it reads and writes, it owns nothing.
--
-- Run by the role that owns the tables (the one that runs the migrations), after every
-- `manage.py migrate`, with psql:
--
--   psql "$OWNER_DATABASE_URL" -v ON_ERROR_STOP=1 -v app_role=bangfu_app \
--        [-v app_password=...] -f bin/db-roles.sql
--
-- Safe to run again. The app then connects as app_role, which gets SELECT, INSERT,
-- UPDATE and DELETE on the tables and USAGE on the sequences, except on the fund ledger
-- (assistance_ledgerentry), which it may only read and append to. Not owning the tables,
-- it can neither TRUNCATE the ledger, nor disable or drop the triggers that keep it
-- append-only, nor change the schema.

-- The role: created when missing (the owner needs CREATEROLE for that), never a superuser.
SELECT format('CREATE ROLE %I LOGIN', :'app_role')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'app_role') \gexec
ALTER ROLE :"app_role" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
\if :{?app_password}
ALTER ROLE :"app_role" PASSWORD :'app_password';
\endif

SELECT format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), :'app_role') \gexec
GRANT USAGE ON SCHEMA public TO :"app_role";
REVOKE CREATE ON SCHEMA public FROM :"app_role";

-- Every table and sequence there is now...
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"app_role";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"app_role";
-- ...and those later migrations create (as the role running this script).
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app_role";
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO :"app_role";

-- The ledger is append-only: read and insert, nothing else.
REVOKE ALL ON assistance_ledgerentry FROM :"app_role";
REVOKE ALL ON assistance_ledgerentry FROM PUBLIC;
GRANT SELECT, INSERT ON assistance_ledgerentry TO :"app_role";
