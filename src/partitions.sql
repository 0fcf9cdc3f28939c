
-- ---------------------------------------------------------------------------
-- Time-range partitions with automatic retention (src/partition*.c)
-- ---------------------------------------------------------------------------

-- One row per managed parent.  Written only through the functions below
-- (they check that the caller owns the parent); kept by pg_dump.
CREATE TABLE gamestats.partition_config (
    parent             pg_catalog.regclass PRIMARY KEY,
    control            pg_catalog.name NOT NULL,
    key_type           pg_catalog.regtype NOT NULL,
    partition_interval pg_catalog.interval NOT NULL,
    retention          pg_catalog.interval,
    premake            pg_catalog.int4 NOT NULL CHECK (premake >= 0),
    retention_mode     pg_catalog.text NOT NULL DEFAULT 'drop'
                       CHECK (retention_mode IN ('drop', 'detach')),
    epoch              pg_catalog.text CHECK (epoch IN ('seconds', 'milliseconds')),
    default_partition  pg_catalog.bool NOT NULL DEFAULT true,
    last_run           pg_catalog.timestamptz,
    last_duration      pg_catalog.interval,
    default_rows       pg_catalog.int8
);
COMMENT ON TABLE gamestats.partition_config IS
    'pg_gamestats partition manager settings and run state, one row per managed table; change it with gamestats.alter_partitions()';
SELECT pg_catalog.pg_extension_config_dump('gamestats.partition_config', '');
REVOKE ALL ON TABLE gamestats.partition_config FROM PUBLIC;
-- readable like the views built on it, so that any role can pg_dump the
-- database (pg_dump copies the configuration rows); written only by the
-- extension's functions.  Nothing in it comes from the rows of the table.
GRANT SELECT ON TABLE gamestats.partition_config TO PUBLIC;

-- The errors of the last maintenance run, one row per table that had one.
-- Apart from partition_config because messages quote row data (a key, a
-- value that failed a cast): PUBLIC cannot read this table, and the view
-- managed_tables shows an error only to roles that may read the table.  Not
-- dumped: the next run records the errors again.
CREATE TABLE gamestats.partition_errors (
    parent     pg_catalog.regclass PRIMARY KEY
               REFERENCES gamestats.partition_config (parent) ON DELETE CASCADE,
    last_error pg_catalog.text NOT NULL
);
COMMENT ON TABLE gamestats.partition_errors IS
    'errors of the last maintenance run of each managed table (readable through gamestats.managed_tables by roles that may read the table)';
REVOKE ALL ON TABLE gamestats.partition_errors FROM PUBLIC;

CREATE FUNCTION gamestats.manage_partitions(
    parent             pg_catalog.regclass,
    partition_interval pg_catalog.interval,
    retention          pg_catalog.interval    DEFAULT NULL,
    premake            pg_catalog.int4        DEFAULT 4,
    retention_mode     pg_catalog.text        DEFAULT 'drop',
    epoch              pg_catalog.text        DEFAULT NULL,
    start_time         pg_catalog.timestamptz DEFAULT NULL,
    default_partition  pg_catalog.bool        DEFAULT true,
    now                pg_catalog.timestamptz DEFAULT NULL)
RETURNS pg_catalog.int4
LANGUAGE C VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'gamestats_manage_partitions';
COMMENT ON FUNCTION gamestats.manage_partitions(pg_catalog.regclass, pg_catalog.interval, pg_catalog.interval, pg_catalog.int4, pg_catalog.text, pg_catalog.text, pg_catalog.timestamptz, pg_catalog.bool, pg_catalog.timestamptz) IS
    'start managing a PARTITION BY RANGE table: create its default partition and partitions up to premake intervals ahead; returns the partitions created (owner only)';

CREATE FUNCTION gamestats.alter_partitions(
    parent          pg_catalog.regclass,
    retention       pg_catalog.interval DEFAULT NULL,
    premake         pg_catalog.int4     DEFAULT NULL,
    retention_mode  pg_catalog.text     DEFAULT NULL,
    clear_retention pg_catalog.bool     DEFAULT false)
RETURNS void
LANGUAGE C VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'gamestats_alter_partitions';
COMMENT ON FUNCTION gamestats.alter_partitions(pg_catalog.regclass, pg_catalog.interval, pg_catalog.int4, pg_catalog.text, pg_catalog.bool) IS
    'change retention, premake or retention_mode of a managed table (NULL keeps a setting; clear_retention => true keeps partitions forever); owner only';

CREATE FUNCTION gamestats.unmanage_partitions(parent pg_catalog.regclass)
RETURNS void
LANGUAGE C VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'gamestats_unmanage_partitions';
COMMENT ON FUNCTION gamestats.unmanage_partitions(pg_catalog.regclass) IS
    'stop managing a table; drops nothing (owner only)';

CREATE FUNCTION gamestats.run_maintenance(
    parent pg_catalog.regclass    DEFAULT NULL,
    now    pg_catalog.timestamptz DEFAULT NULL)
RETURNS TABLE (parent pg_catalog.regclass, created pg_catalog.int4,
               dropped pg_catalog.int4, detached pg_catalog.int4,
               moved_rows pg_catalog.int8, error pg_catalog.text)
LANGUAGE C VOLATILE PARALLEL UNSAFE ROWS 10
AS 'MODULE_PATHNAME', 'gamestats_run_maintenance';
COMMENT ON FUNCTION gamestats.run_maintenance(pg_catalog.regclass, pg_catalog.timestamptz) IS
    'create premade partitions, move default-partition rows into new partitions, apply retention; one table or all the caller owns; now fixes the clock for tests and backfills';

CREATE PROCEDURE gamestats.run_maintenance_proc(
    parent pg_catalog.regclass    DEFAULT NULL,
    now    pg_catalog.timestamptz DEFAULT NULL)
LANGUAGE C
AS 'MODULE_PATHNAME', 'gamestats_run_maintenance_proc';
COMMENT ON PROCEDURE gamestats.run_maintenance_proc(pg_catalog.regclass, pg_catalog.timestamptz) IS
    'the maintenance of run_maintenance(), committing after each table so that its locks are released before the next (CALL outside a transaction block); results in gamestats.managed_tables';

CREATE FUNCTION gamestats.schedule_maintenance(
    schedule pg_catalog.text DEFAULT '*/10 * * * *',
    database pg_catalog.name DEFAULT NULL)
RETURNS pg_catalog.int8
LANGUAGE C VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'gamestats_schedule_maintenance';
COMMENT ON FUNCTION gamestats.schedule_maintenance(pg_catalog.text, pg_catalog.name) IS
    'create or replace the pg_cron job gamestats-maintenance that runs CALL gamestats.run_maintenance_proc() as the current user; returns the job id';

CREATE FUNCTION gamestats.partition_bounds(
    parent pg_catalog.regclass,
    epoch  pg_catalog.text DEFAULT NULL)
RETURNS TABLE (partition pg_catalog.regclass, range_from pg_catalog.timestamptz,
               range_to pg_catalog.timestamptz, is_default pg_catalog.bool)
LANGUAGE C STABLE PARALLEL SAFE ROWS 50
AS 'MODULE_PATHNAME', 'gamestats_partition_bounds';
COMMENT ON FUNCTION gamestats.partition_bounds(pg_catalog.regclass, pg_catalog.text) IS
    'partitions of a range-partitioned table with their bounds as timestamptz (UTC); reads the catalogs without locking';

-- The functions check ownership of the parent themselves; anyone may call
-- them on tables they own.
REVOKE ALL ON FUNCTION gamestats.manage_partitions(pg_catalog.regclass, pg_catalog.interval, pg_catalog.interval, pg_catalog.int4, pg_catalog.text, pg_catalog.text, pg_catalog.timestamptz, pg_catalog.bool, pg_catalog.timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION gamestats.alter_partitions(pg_catalog.regclass, pg_catalog.interval, pg_catalog.int4, pg_catalog.text, pg_catalog.bool) FROM PUBLIC;
REVOKE ALL ON FUNCTION gamestats.unmanage_partitions(pg_catalog.regclass) FROM PUBLIC;
REVOKE ALL ON FUNCTION gamestats.run_maintenance(pg_catalog.regclass, pg_catalog.timestamptz) FROM PUBLIC;
REVOKE ALL ON PROCEDURE gamestats.run_maintenance_proc(pg_catalog.regclass, pg_catalog.timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION gamestats.schedule_maintenance(pg_catalog.text, pg_catalog.name) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gamestats.manage_partitions(pg_catalog.regclass, pg_catalog.interval, pg_catalog.interval, pg_catalog.int4, pg_catalog.text, pg_catalog.text, pg_catalog.timestamptz, pg_catalog.bool, pg_catalog.timestamptz) TO PUBLIC;
GRANT EXECUTE ON FUNCTION gamestats.alter_partitions(pg_catalog.regclass, pg_catalog.interval, pg_catalog.int4, pg_catalog.text, pg_catalog.bool) TO PUBLIC;
GRANT EXECUTE ON FUNCTION gamestats.unmanage_partitions(pg_catalog.regclass) TO PUBLIC;
GRANT EXECUTE ON FUNCTION gamestats.run_maintenance(pg_catalog.regclass, pg_catalog.timestamptz) TO PUBLIC;
GRANT EXECUTE ON PROCEDURE gamestats.run_maintenance_proc(pg_catalog.regclass, pg_catalog.timestamptz) TO PUBLIC;
GRANT EXECUTE ON FUNCTION gamestats.schedule_maintenance(pg_catalog.text, pg_catalog.name) TO PUBLIC;

CREATE VIEW gamestats.partitions AS
SELECT c.parent,
       b.partition,
       b.range_from,
       b.range_to,
       b.is_default,
       pg_catalog.pg_total_relation_size(b.partition) AS total_bytes,
       CASE WHEN r.reltuples OPERATOR(pg_catalog.<) 0 THEN NULL
            ELSE r.reltuples::pg_catalog.int8 END AS est_rows
  FROM gamestats.partition_config c
 CROSS JOIN LATERAL gamestats.partition_bounds(c.parent, c.epoch) b
  JOIN pg_catalog.pg_class r ON r.oid OPERATOR(pg_catalog.=) b.partition;
COMMENT ON VIEW gamestats.partitions IS
    'partitions of the managed tables with their UTC ranges, sizes and estimated rows';

CREATE VIEW gamestats.managed_tables AS
SELECT c.parent,
       c.partition_interval,
       c.retention,
       c.premake,
       c.last_run,
       c.last_duration,
       -- messages may quote rows of the table: only for those who may read it
       CASE WHEN pg_catalog.has_table_privilege(c.parent::pg_catalog.oid, 'SELECT')
                 OR pg_catalog.pg_has_role(r.relowner, 'USAGE')
            THEN e.last_error END AS last_error,
       c.default_rows,
       (SELECT CASE WHEN pg_catalog.isfinite(pg_catalog.max(b.range_to))
                    THEN pg_catalog.max(b.range_to) OPERATOR(pg_catalog.-) pg_catalog.now() END
          FROM gamestats.partition_bounds(c.parent, c.epoch) b
         WHERE NOT b.is_default) AS runway,
       c.retention_mode,
       c.control AS control_column,
       c.key_type,
       c.epoch,
       c.default_partition
  FROM gamestats.partition_config c
  LEFT JOIN gamestats.partition_errors e ON e.parent OPERATOR(pg_catalog.=) c.parent
  LEFT JOIN pg_catalog.pg_class r ON r.oid OPERATOR(pg_catalog.=) c.parent;
COMMENT ON VIEW gamestats.managed_tables IS
    'managed tables: settings, last maintenance run and its error, rows left in the default partition, and the runway of premade partitions';

GRANT SELECT ON gamestats.partitions, gamestats.managed_tables TO PUBLIC;

-- Forget the settings of a managed table or a leaderboard when it is
-- dropped, whatever drops it: DROP TABLE, DROP MATERIALIZED VIEW, or a
-- CASCADE from DROP VIEW, DROP FUNCTION, ALTER TABLE ... DROP COLUMN, DROP
-- TYPE, DROP SCHEMA, DROP OWNED, DROP EXTENSION of another extension.  No
-- tag filter: a row left behind would name an OID that a new relation can
-- take.  The pg_cron job of a board goes too, but only the job
-- schedule_refresh made for it (same name, user and command as recorded
-- then), never a job found by its id alone: an id can be stale.
CREATE FUNCTION gamestats.forget_dropped_tables()
RETURNS event_trigger
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
