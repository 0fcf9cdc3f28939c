-- Partition manager: every wrong call is an error with a proper SQLSTATE, a
-- message naming the object and a hint, and leaves nothing behind; one
-- failing table does not stop the others.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_cron;
RESET client_min_messages;
CREATE SCHEMA perr;
SET search_path = perr, public;
-- runs a statement, shows SQLSTATE, message and hint of its error
CREATE FUNCTION pg_temp.try(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE st text; msg text; hint text;
BEGIN
    EXECUTE sql;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, hint = PG_EXCEPTION_HINT;
    RETURN st || ': ' || msg || E'\nHINT: ' || hint;
END $$;

CREATE TABLE plain (at timestamptz);
CREATE TABLE by_list (at timestamptz) PARTITION BY LIST (at);
CREATE TABLE by_hash (id int) PARTITION BY HASH (id);
CREATE TABLE two_cols (at timestamptz, id int) PARTITION BY RANGE (at, id);
CREATE TABLE by_expr (at timestamp) PARTITION BY RANGE ((at + interval '1 hour'));
CREATE TABLE by_int (n int) PARTITION BY RANGE (n);
CREATE TABLE by_text (s text) PARTITION BY RANGE (s);
CREATE TABLE by_bigint (n bigint) PARTITION BY RANGE (n);
CREATE TABLE by_date (d date) PARTITION BY RANGE (d);
CREATE TABLE ok (at timestamptz) PARTITION BY RANGE (at);
CREATE TEMP TABLE tmp (at timestamptz) PARTITION BY RANGE (at);

-- wrong tables
SELECT pg_temp.try($$SELECT gamestats.manage_partitions('plain', '1 day')$$);
SELECT pg_temp.try($$SELECT gamestats.manage_partitions('by_list', '1 day')$$);
SELECT pg_temp.try($$SELECT gamestats.manage_partitions('by_hash', '1 day')$$);
SELECT pg_temp.try($$SELECT gamestats.manage_partitions('two_cols', '1 day')$$);
SELECT pg_temp.try($$SELECT gamestats.manage_partitions('by_expr', '1 day')$$);
SELECT pg_temp.try($$SELECT gamestats.manage_partitions('by_int', '1 day')$$);
SELECT pg_temp.try($$SELECT gamestats.manage_partitions('by_text', '1 day')$$);
SELECT pg_temp.try($$SELECT gamestats.manage_partitions('tmp', '1 day')$$);
SELECT pg_temp.try($$SELECT gamestats.manage_partitions('no_such_table', '1 day')$$);
-- epochs
SELECT pg_temp.try($$SELECT gamestats.manage_partitions('by_bigint', '1 day')$$);
SELECT pg_temp.try($$SELECT gamestats.manage_partitions('by_bigint', '1 day', epoch => 'minutes')$$);
SELECT pg_temp.try($$SELECT gamestats.manage_partitions('ok', '1 day', epoch => 'seconds')$$);
-- intervals
SELECT pg_temp.try($$SELECT gamestats.manage_partitions('ok', '2 days')$$);
SELECT pg_temp.try($$SELECT gamestats.manage_partitions('ok', '45 minutes')$$);
SELECT pg_temp.try($$SELECT gamestats.manage_partitions('ok', '7 hours')$$);
SELECT pg_temp.try($$SELECT gamestats.manage_partitions('ok', '90 seconds')$$);
SELECT pg_temp.try($$SELECT gamestats.manage_partitions('ok', '1 month 1 day')$$);
SELECT pg_temp.try($$SELECT gamestats.manage_partitions('ok', '2 weeks')$$);
SELECT pg_temp.try($$SELECT gamestats.manage_partitions('ok', '6 months')$$);
SELECT pg_temp.try($$SELECT gamestats.manage_partitions('ok', '0')$$);
SELECT pg_temp.try($$SELECT gamestats.manage_partitions('ok', '-1 day')$$);
SELECT pg_temp.try($$SELECT gamestats.manage_partitions('by_date', '1 hour')$$);
-- other arguments
SELECT pg_temp.try($$SELECT gamestats.manage_partitions('ok', '1 day', premake => -1)$$);
SELECT pg_temp.try($$SELECT gamestats.manage_partitions('ok', '1 day', premake => 1001)$$);
SELECT pg_temp.try($$SELECT gamestats.manage_partitions('ok', '1 day', retention => '-3 days')$$);
SELECT pg_temp.try($$SELECT gamestats.manage_partitions('ok', '1 day', retention => '0')$$);
SELECT pg_temp.try($$SELECT gamestats.manage_partitions('ok', '1 day', retention_mode => 'archive')$$);
SELECT pg_temp.try($$SELECT gamestats.manage_partitions('ok', '1 day', start_time => 'infinity')$$);
SELECT pg_temp.try($$SELECT gamestats.manage_partitions('ok', '1 day', premake => 2,
    start_time => '2024-01-10', now => '2024-01-01')$$);
SELECT pg_temp.try($$SELECT gamestats.manage_partitions('ok', '15 minutes',
    start_time => '1990-01-01', now => '2024-01-01')$$);
-- NULLs
SELECT pg_temp.try($$SELECT gamestats.manage_partitions(NULL, '1 day')$$);
SELECT pg_temp.try($$SELECT gamestats.manage_partitions('ok', NULL)$$);
SELECT pg_temp.try($$SELECT gamestats.manage_partitions('ok', '1 day', premake => NULL)$$);
SELECT pg_temp.try($$SELECT gamestats.manage_partitions('ok', '1 day', retention_mode => NULL)$$);
SELECT pg_temp.try($$SELECT gamestats.manage_partitions('ok', '1 day', default_partition => NULL)$$);
SELECT pg_temp.try($$SELECT gamestats.alter_partitions(NULL)$$);
SELECT pg_temp.try($$SELECT gamestats.unmanage_partitions(NULL)$$);
SELECT pg_temp.try($$SELECT gamestats.schedule_maintenance(NULL)$$);
-- none of the failed calls left anything behind
SELECT count(*) AS configs FROM gamestats.partition_config;
SELECT count(*) AS partitions FROM pg_inherits WHERE inhparent = 'ok'::regclass;

-- not managed yet
SELECT pg_temp.try($$SELECT gamestats.alter_partitions('ok', premake => 2)$$);
SELECT pg_temp.try($$SELECT gamestats.unmanage_partitions('ok')$$);
SELECT pg_temp.try($$SELECT * FROM gamestats.run_maintenance('ok')$$);

-- already managed; bad alter calls change nothing
SELECT gamestats.manage_partitions('ok', '1 day', premake => 1, now => '2024-01-01');
SELECT pg_temp.try($$SELECT gamestats.manage_partitions('ok', '1 hour')$$);
SELECT pg_temp.try($$SELECT gamestats.alter_partitions('ok', premake => -2)$$);
SELECT pg_temp.try($$SELECT gamestats.alter_partitions('ok', retention => '-1 day')$$);
SELECT pg_temp.try($$SELECT gamestats.alter_partitions('ok', retention_mode => 'truncate')$$);
SELECT pg_temp.try($$SELECT gamestats.alter_partitions('ok', retention => '1 day', clear_retention => true)$$);
SELECT pg_temp.try($$SELECT * FROM gamestats.run_maintenance('ok', now => 'infinity')$$);
SELECT partition_interval, retention, premake, retention_mode FROM gamestats.managed_tables;

-- manage is all or nothing: a name clash on the third partition undoes
-- the default partition and the first two
CREATE TABLE clash (at timestamptz NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE clash_p20240103 (x int);
SELECT pg_temp.try($$SELECT gamestats.manage_partitions('clash', '1 day', premake => 2, now => '2024-01-01')$$);
SELECT count(*) AS partitions FROM pg_inherits WHERE inhparent = 'clash'::regclass;
SELECT count(*) AS managed FROM gamestats.partition_config WHERE parent = 'clash'::regclass;

-- failure isolation: the clash breaks one step of one table; the other
-- steps and tables are maintained, the error is kept and returned
SELECT gamestats.manage_partitions('clash', '1 day', premake => 1, now => '2024-01-01');
SELECT * FROM gamestats.run_maintenance(now => '2024-01-02') ORDER BY parent::text;
SELECT parent, last_error, runway IS NOT NULL AS has_runway FROM gamestats.managed_tables ORDER BY parent::text;
SELECT partition FROM gamestats.partitions ORDER BY partition::text;
-- fixed: the next run makes the missing partition and clears the error
DROP TABLE clash_p20240103;
SELECT * FROM gamestats.run_maintenance(now => '2024-01-02') ORDER BY parent::text;
SELECT parent, last_error FROM gamestats.managed_tables ORDER BY parent::text;

-- a partition that cannot be dropped (a view uses it) is skipped, the
-- other one is dropped
SELECT gamestats.alter_partitions('clash', retention => '1 day');
CREATE VIEW keep_me AS SELECT * FROM clash_p20240101;
SELECT * FROM gamestats.run_maintenance('clash', now => '2024-01-04 12:00');
SELECT partition FROM gamestats.partitions WHERE parent = 'clash'::regclass ORDER BY partition::text;
DROP VIEW keep_me;

-- schedule_maintenance: pg_cron is installed here (see setup); the job is
-- replaced, not duplicated, when scheduled again
SELECT gamestats.schedule_maintenance('0 4 1 1 *') AS first_job \gset
SELECT gamestats.schedule_maintenance('30 4 1 1 *') = :first_job AS same_job;
SELECT jobname, schedule, command, database FROM cron.job WHERE jobname LIKE 'gamestats-maintenance%';
SELECT pg_temp.try($$SELECT gamestats.schedule_maintenance('every minute')$$) LIKE '%invalid schedule%' AS rejected;
SELECT cron.unschedule('gamestats-maintenance');

-- without pg_cron in the database: a clear error with the recipe
CREATE DATABASE gamestats_nocron;
\c gamestats_nocron
CREATE EXTENSION pg_gamestats;
\set VERBOSITY default
SELECT gamestats.schedule_maintenance();
-- on a database without managed tables maintenance is a no-op
SELECT * FROM gamestats.run_maintenance();
\c contrib_regression
DROP DATABASE gamestats_nocron;

SET search_path = perr, public;
DROP TABLE plain, by_list, by_hash, two_cols, by_expr, by_int, by_text, by_bigint, by_date, ok, clash;
SELECT count(*) AS managed_left FROM gamestats.partition_config;
RESET search_path;
DROP SCHEMA perr;
