-- pg_gamestats install script: assembled by the Makefile from src/*.sql.
\echo Use "CREATE EXTENSION pg_gamestats" to load this file. \quit

COMMENT ON SCHEMA gamestats IS 'pg_gamestats: time partitions with retention, leaderboards, batched lookups';

CREATE FUNCTION gamestats.version()
RETURNS text
LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'gamestats_version';
COMMENT ON FUNCTION gamestats.version() IS 'version of the loaded pg_gamestats library';

GRANT USAGE ON SCHEMA gamestats TO PUBLIC;

-- DROP EXTENSION (also with CASCADE, through DROP SCHEMA gamestats or DROP
-- OWNED BY its owner) would forget every managed table and leaderboard:
-- refused while any is registered (src/extension_guard.c).
CREATE FUNCTION gamestats.guard_extension_drop()
RETURNS event_trigger
LANGUAGE C
AS 'MODULE_PATHNAME', 'gamestats_guard_extension_drop';
COMMENT ON FUNCTION gamestats.guard_extension_drop() IS
    'event trigger: refuses to drop pg_gamestats while it manages tables or leaderboards';
REVOKE ALL ON FUNCTION gamestats.guard_extension_drop() FROM PUBLIC;

CREATE EVENT TRIGGER gamestats_guard_extension_drop ON ddl_command_start
    WHEN TAG IN ('DROP EXTENSION', 'DROP SCHEMA', 'DROP OWNED')
    EXECUTE FUNCTION gamestats.guard_extension_drop();
