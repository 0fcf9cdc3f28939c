
-- ---------------------------------------------------------------------------
-- Rollups: per-bucket aggregates of managed tables, kept incrementally
-- (src/rollup.c).  Triggers on the source record the touched time ranges in
-- rollup_pending; refresh_rollup() and run_maintenance() aggregate those
-- buckets again.
-- ---------------------------------------------------------------------------

CREATE TABLE gamestats.rollup_config (
    rollup          pg_catalog.regclass PRIMARY KEY,
    source          pg_catalog.regclass NOT NULL,
    bucket          pg_catalog.interval NOT NULL,
    group_by        pg_catalog.name[] NOT NULL,
    aggregates      pg_catalog.text NOT NULL,   -- as given
    select_list     pg_catalog.text NOT NULL,   -- as checked and deparsed
    filter          pg_catalog.text,            -- deparsed
    retention       pg_catalog.interval,
    last_refresh_at pg_catalog.timestamptz,
    last_refresh_ms pg_catalog.float8,
    last_buckets    pg_catalog.int8
);
CREATE INDEX ON gamestats.rollup_config (source);
COMMENT ON TABLE gamestats.rollup_config IS
    'one row per rollup: its definition and its last refresh (written by the rollup functions)';

-- Time ranges (inclusive, UTC) that statements touched since the last
-- refresh, one row per statement and rollup.  Dumped: restored pending work
-- is aggregated by the next refresh.
CREATE TABLE gamestats.rollup_pending (
    rollup pg_catalog.regclass NOT NULL,
    lo     pg_catalog.timestamptz NOT NULL,
    hi     pg_catalog.timestamptz NOT NULL
);
CREATE INDEX ON gamestats.rollup_pending (rollup);
COMMENT ON TABLE gamestats.rollup_pending IS
    'time ranges written since the last refresh of each rollup (written by the tracking triggers)';

-- Errors of the refreshes run_maintenance() made; messages can quote row
-- data, so only gamestats.rollups shows them, to roles that may read the
-- rollup.  Not dumped.
CREATE TABLE gamestats.rollup_errors (
    rollup     pg_catalog.regclass PRIMARY KEY
               REFERENCES gamestats.rollup_config (rollup) ON DELETE CASCADE,
    last_error pg_catalog.text NOT NULL
);
COMMENT ON TABLE gamestats.rollup_errors IS
    'error of the last failed maintenance refresh of each rollup (readable through gamestats.rollups by roles that may read the rollup)';

SELECT pg_catalog.pg_extension_config_dump('gamestats.rollup_config', '');
SELECT pg_catalog.pg_extension_config_dump('gamestats.rollup_pending', '');
REVOKE ALL ON gamestats.rollup_config, gamestats.rollup_pending,
              gamestats.rollup_errors FROM PUBLIC;
-- readable, so that any role can pg_dump the database (pg_dump copies the
-- configuration rows); they hold definitions and times, no row data
GRANT SELECT ON gamestats.rollup_config, gamestats.rollup_pending TO PUBLIC;

CREATE FUNCTION gamestats.bucket_start(
    bucket pg_catalog.interval,
    t      anyelement,
    epoch  pg_catalog.text DEFAULT NULL)
RETURNS pg_catalog.timestamptz
LANGUAGE C IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'gamestats_bucket_start';
COMMENT ON FUNCTION gamestats.bucket_start(pg_catalog.interval, anyelement, pg_catalog.text) IS
    'start of the UTC-aligned bucket holding t (timestamptz, timestamp, date, or bigint with epoch), as rollups compute it';

CREATE FUNCTION gamestats.rollup_track()
RETURNS pg_catalog.trigger
LANGUAGE C
AS 'MODULE_PATHNAME', 'gamestats_rollup_track';
COMMENT ON FUNCTION gamestats.rollup_track() IS
    'statement trigger on the source of rollups: records the time range a statement wrote in gamestats.rollup_pending';

CREATE FUNCTION gamestats.create_rollup(
    rollup     pg_catalog.text,
    source     pg_catalog.regclass,
    bucket     pg_catalog.interval,
    group_by   pg_catalog.text[],
    aggregates pg_catalog.text,
    filter     pg_catalog.text     DEFAULT NULL,
    retention  pg_catalog.interval DEFAULT NULL)
RETURNS pg_catalog.regclass
LANGUAGE C CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'gamestats_create_rollup';
COMMENT ON FUNCTION gamestats.create_rollup(pg_catalog.text, pg_catalog.regclass, pg_catalog.interval, pg_catalog.text[], pg_catalog.text, pg_catalog.text, pg_catalog.interval) IS
    'create a table of per-bucket aggregates (count, sum, min, max, avg) of a managed table, kept incrementally, and fill it (owner of the source only)';

CREATE FUNCTION gamestats.refresh_rollup(rollup pg_catalog.regclass)
RETURNS pg_catalog.int8
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'gamestats_refresh_rollup';
COMMENT ON FUNCTION gamestats.refresh_rollup(pg_catalog.regclass) IS
    'aggregate again the buckets of a rollup that got written since its last refresh, and the open bucket; returns the buckets (owner only)';

CREATE FUNCTION gamestats.drop_rollup(rollup pg_catalog.regclass)
RETURNS pg_catalog.void
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'gamestats_drop_rollup';
COMMENT ON FUNCTION gamestats.drop_rollup(pg_catalog.regclass) IS
    'drop a rollup table and its configuration (owner only)';

CREATE FUNCTION gamestats.rollup_pending_buckets(rollup pg_catalog.regclass)
RETURNS pg_catalog.int8
LANGUAGE C STRICT STABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'gamestats_rollup_pending_buckets';
COMMENT ON FUNCTION gamestats.rollup_pending_buckets(pg_catalog.regclass) IS
    'buckets of a rollup the next refresh aggregates again besides the open one';

CREATE VIEW gamestats.rollups AS
SELECT c.rollup,
       c.source,
       c.bucket,
       c.group_by,
       c.aggregates,
       c.filter,
       c.retention,
       c.last_refresh_at,
       c.last_refresh_ms,
       c.last_buckets,
       gamestats.rollup_pending_buckets(c.rollup) AS pending_buckets,
       -- messages may quote rows: only for those who may read the rollup
       CASE WHEN pg_catalog.has_table_privilege(c.rollup::pg_catalog.oid, 'SELECT')
                 OR pg_catalog.pg_has_role(r.relowner, 'USAGE')
            THEN e.last_error END AS last_error
  FROM gamestats.rollup_config c
  JOIN pg_catalog.pg_class r ON r.oid OPERATOR(pg_catalog.=) c.rollup
  LEFT JOIN gamestats.rollup_errors e ON e.rollup OPERATOR(pg_catalog.=) c.rollup;
COMMENT ON VIEW gamestats.rollups IS
    'rollups: definition, last refresh, buckets pending for the next refresh, and the error of the last failed maintenance refresh';
GRANT SELECT ON gamestats.rollups TO PUBLIC;
