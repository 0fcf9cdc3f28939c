
-- ---------------------------------------------------------------------------
-- Event triggers: they serve every feature, so they come last, after the
-- tables they write.  One refuses DROP EXTENSION while the extension is in
-- use (src/extension_guard.c); the other forgets dropped managed tables and
-- leaderboards, and removes the pg_cron refresh jobs made for the boards.
-- ---------------------------------------------------------------------------

-- DROP EXTENSION (also with CASCADE, through DROP SCHEMA gamestats or DROP
-- OWNED BY its owner) would forget every managed table and leaderboard:
-- refused while any is registered.
CREATE FUNCTION gamestats.guard_extension_drop()
RETURNS pg_catalog.event_trigger
LANGUAGE C
AS 'MODULE_PATHNAME', 'gamestats_guard_extension_drop';
COMMENT ON FUNCTION gamestats.guard_extension_drop() IS
    'event trigger: refuses to drop pg_gamestats while it manages tables or leaderboards';
REVOKE ALL ON FUNCTION gamestats.guard_extension_drop() FROM PUBLIC;

CREATE EVENT TRIGGER gamestats_guard_extension_drop ON ddl_command_start
    WHEN TAG IN ('DROP EXTENSION', 'DROP SCHEMA', 'DROP OWNED')
    EXECUTE FUNCTION gamestats.guard_extension_drop();

-- Forget the settings of a managed table or a leaderboard when it is
-- dropped, whatever drops it: DROP TABLE, DROP MATERIALIZED VIEW, or a
-- CASCADE from DROP VIEW, DROP FUNCTION, ALTER TABLE ... DROP COLUMN, DROP
-- TYPE, DROP SCHEMA, DROP OWNED, DROP EXTENSION of another extension.  No
-- tag filter: a row left behind would name an OID that a new relation can
-- take.  The pg_cron job of a board goes too, but only the job
-- schedule_refresh made for it (same name, user and command as recorded
-- then), never a job found by its id alone: an id can be stale.
CREATE FUNCTION gamestats.forget_dropped_tables()
RETURNS pg_catalog.event_trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    dropped pg_catalog.oid[];
    job record;
BEGIN
    SELECT pg_catalog.array_agg(d.objid) INTO dropped
      FROM pg_catalog.pg_event_trigger_dropped_objects() d
     WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
       AND d.objsubid OPERATOR(pg_catalog.=) 0;
    IF dropped IS NULL THEN
        RETURN;
    END IF;
    DELETE FROM gamestats.partition_config c
     WHERE c.parent::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (dropped);
    DELETE FROM gamestats.leaderboard_segment s
     WHERE s.board::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (dropped);
    FOR job IN
        DELETE FROM gamestats.leaderboard_config c
         WHERE c.board::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (dropped)
        RETURNING c.job_name, c.job_user, c.job_command
    LOOP
        IF job.job_name IS NOT NULL AND pg_catalog.to_regclass('cron.job') IS NOT NULL THEN
            EXECUTE 'DELETE FROM cron.job j'
                    ' WHERE j.jobname::pg_catalog.text OPERATOR(pg_catalog.=) $1'
                    '   AND j.username::pg_catalog.text OPERATOR(pg_catalog.=) $2'
                    '   AND j.command OPERATOR(pg_catalog.=) $3'
                USING job.job_name::pg_catalog.text, job.job_user::pg_catalog.text, job.job_command;
        END IF;
    END LOOP;
END
$$;
COMMENT ON FUNCTION gamestats.forget_dropped_tables() IS
    'event trigger: removes the settings of dropped managed tables and leaderboards, and the pg_cron refresh jobs made for those leaderboards';
REVOKE ALL ON FUNCTION gamestats.forget_dropped_tables() FROM PUBLIC;

CREATE EVENT TRIGGER gamestats_forget_dropped_tables ON sql_drop
    EXECUTE FUNCTION gamestats.forget_dropped_tables();

-- A REFRESH MATERIALIZED VIEW of a live board -- by hand, or the one
-- pg_restore runs -- becomes a fold (src/live.c): without this its journal
-- would count the changes the refreshed board already holds.
CREATE FUNCTION gamestats.live_refresh_start()
RETURNS pg_catalog.event_trigger
LANGUAGE C
AS 'MODULE_PATHNAME', 'gamestats_live_refresh_start';
COMMENT ON FUNCTION gamestats.live_refresh_start() IS
    'event trigger: before a REFRESH MATERIALIZED VIEW of a live leaderboard, keeps the writers of its table out';
REVOKE ALL ON FUNCTION gamestats.live_refresh_start() FROM PUBLIC;

CREATE FUNCTION gamestats.live_refresh_end()
RETURNS pg_catalog.event_trigger
LANGUAGE C
AS 'MODULE_PATHNAME', 'gamestats_live_refresh_end';
COMMENT ON FUNCTION gamestats.live_refresh_end() IS
    'event trigger: after a REFRESH MATERIALIZED VIEW of a live leaderboard, empties its journal as a fold does';
REVOKE ALL ON FUNCTION gamestats.live_refresh_end() FROM PUBLIC;

CREATE EVENT TRIGGER gamestats_live_refresh_start ON ddl_command_start
    WHEN TAG IN ('REFRESH MATERIALIZED VIEW')
    EXECUTE FUNCTION gamestats.live_refresh_start();
CREATE EVENT TRIGGER gamestats_live_refresh_end ON ddl_command_end
    WHEN TAG IN ('REFRESH MATERIALIZED VIEW')
    EXECUTE FUNCTION gamestats.live_refresh_end();
