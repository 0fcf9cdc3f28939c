-- pg_gamestats install script: assembled by the Makefile from src/*.sql.
\echo Use "CREATE EXTENSION pg_gamestats" to load this file. \quit

COMMENT ON SCHEMA gamestats IS 'pg_gamestats: time partitions with retention, leaderboards, batched lookups';

CREATE FUNCTION gamestats.version()
RETURNS text
LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'gamestats_version';
COMMENT ON FUNCTION gamestats.version() IS 'version of the loaded pg_gamestats library';

GRANT USAGE ON SCHEMA gamestats TO PUBLIC;
