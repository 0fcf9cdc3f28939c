-- pg_gamestats install script: assembled by the Makefile from src/*.sql
-- (SCRIPT_PARTS), one part per feature; the event triggers, which serve
-- every feature, come last.  Every name is schema-qualified, pg_catalog's
-- too, so that no search_path can change what the script refers to.
\echo Use "CREATE EXTENSION pg_gamestats" to load this file. \quit

-- ---------------------------------------------------------------------------
-- Core: the schema and the library version (src/pg_gamestats.c)
-- ---------------------------------------------------------------------------

COMMENT ON SCHEMA gamestats IS 'pg_gamestats: time partitions with retention, leaderboards, batched lookups';

-- The schema is made by CREATE EXTENSION (the control file names it), with
-- no privileges for PUBLIC: every user may reach the functions and views.
GRANT USAGE ON SCHEMA gamestats TO PUBLIC;

CREATE FUNCTION gamestats.version()
RETURNS pg_catalog.text
LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'gamestats_version';
COMMENT ON FUNCTION gamestats.version() IS 'version of the loaded pg_gamestats library';
