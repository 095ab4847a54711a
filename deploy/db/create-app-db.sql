-- The application's role and database. Run by psql with -v pw=... (the role's password), from
-- gatehouse-post-bootstrap (Patroni) and initdb-app-db.sh (plain PostgreSQL). :'pw' makes psql
-- quote the value as a literal, so no password can change the statement. The \if guards make a
-- second run harmless and keep a failing CREATE (which the server logs in full) from happening.
\set ON_ERROR_STOP on

SELECT NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'gatehouse') AS create_role \gset
\if :create_role
CREATE ROLE gatehouse LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'pw';
\else
ALTER ROLE gatehouse LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'pw';
\endif

SELECT NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'gatehouse') AS create_database \gset
\if :create_database
CREATE DATABASE gatehouse OWNER gatehouse;
\endif
