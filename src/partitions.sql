
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
    premake            pg_catalog.int4 NOT NULL CHECK (premake OPERATOR(pg_catalog.>=) 0),
    retention_mode     pg_catalog.text NOT NULL DEFAULT 'drop'
                       CHECK (retention_mode OPERATOR(pg_catalog.=) ANY (ARRAY['drop', 'detach'])),
    epoch              pg_catalog.text
                       CHECK (epoch OPERATOR(pg_catalog.=) ANY (ARRAY['seconds', 'milliseconds'])),
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

-- Each function checks that the caller owns the parent (or is superuser),
-- so EXECUTE stays with PUBLIC, as for any function.
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
RETURNS pg_catalog.void
LANGUAGE C VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'gamestats_alter_partitions';
COMMENT ON FUNCTION gamestats.alter_partitions(pg_catalog.regclass, pg_catalog.interval, pg_catalog.int4, pg_catalog.text, pg_catalog.bool) IS
    'change retention, premake or retention_mode of a managed table (NULL keeps a setting; clear_retention => true keeps partitions forever); owner only';

CREATE FUNCTION gamestats.unmanage_partitions(parent pg_catalog.regclass)
RETURNS pg_catalog.void
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

CREATE FUNCTION gamestats.relation_size(rel pg_catalog.regclass)
RETURNS pg_catalog.int8
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'gamestats_relation_size';
COMMENT ON FUNCTION gamestats.relation_size(pg_catalog.regclass) IS
    'bytes of a table with its indexes and TOAST: pg_total_relation_size, or for a Citus table the size of its shards across the cluster';

CREATE VIEW gamestats.partitions AS
SELECT c.parent,
       b.partition,
       b.range_from,
       b.range_to,
       b.is_default,
       gamestats.relation_size(b.partition) AS total_bytes,
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
