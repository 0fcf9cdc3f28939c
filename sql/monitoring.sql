-- Monitoring views for Prometheus (contrib/postgres_exporter/queries.yaml):
-- readable by pg_monitor without any access to the game's tables, numbers
-- and 0/1 error flags only; and cron_interval(), the longest gap of a
-- pg_cron schedule.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_cron;

-- cron_interval: seconds between runs, the longest gap for uneven schedules
SELECT s AS schedule, gamestats.cron_interval(s) AS seconds
  FROM unnest(ARRAY[
    '* * * * *', '*/5 * * * *', '*/7 * * * *', '0 * * * *', '15 */6 * * *',
    '0,30 9-17 * * *', '*/20 1-2 * * *', '5/20 * * * *', '0 3 * * *',
    '0 3 * * 1', '0 0 * * 7', '0 0 * * 0,7', '0 3 * * mon-fri', '0 12 * * SAT,sun',
    '  0   4  *  *  *  ', '30 seconds', '1 second', '@hourly', '@daily', '@midnight', '@weekly',
    -- not read: NULL
    '0 0 1 * *', '0 0 * 1 *', '@monthly', '@reboot', 'bogus', '61 * * * *',
    '* 24 * * *', '5-1 * * * *', '*/0 * * * *', '*-5 * * * *', '1,,2 * * * *',
    '* * * *', '* * * * * *', '', '99999999999 * * * *']) s;
SELECT gamestats.cron_interval(NULL) IS NULL AS null_gives_null;

CREATE ROLE regress_mon_owner;
CREATE ROLE regress_mon_reader LOGIN;
GRANT pg_monitor TO regress_mon_reader;
CREATE ROLE regress_mon_nobody;
GRANT CREATE ON SCHEMA public TO regress_mon_owner;
GRANT USAGE ON SCHEMA cron TO regress_mon_owner;
CREATE SCHEMA mon AUTHORIZATION regress_mon_owner;
GRANT USAGE ON SCHEMA mon TO regress_mon_reader;

SET ROLE regress_mon_owner;
CREATE TABLE mon.ev (at timestamptz NOT NULL, v int) PARTITION BY RANGE (at);
SELECT gamestats.manage_partitions('mon.ev', '1 day', premake => 2) AS created;
CREATE TABLE mon.ev_never (at timestamptz NOT NULL) PARTITION BY RANGE (at);
SELECT gamestats.manage_partitions('mon.ev_never', '1 day', premake => 0, default_partition => false) AS created;
INSERT INTO mon.ev VALUES ('2097-01-01', 1);
SELECT count(*) FROM gamestats.run_maintenance('mon.ev');
CREATE TABLE mon.src (player_id int, score int);
INSERT INTO mon.src VALUES (1, 10), (2, 20), (3, 30);
CREATE FUNCTION mon.feed_ok() RETURNS boolean LANGUAGE sql STABLE
    AS $$ SELECT count(*) < 4 FROM mon.src $$;
CREATE FUNCTION mon.fail_if(b boolean) RETURNS boolean LANGUAGE plpgsql STABLE
    AS $$ BEGIN IF NOT b THEN RAISE EXCEPTION 'player 4242 has secret data'; END IF; RETURN true; END $$;
SELECT gamestats.create_leaderboard('mon.good', 'SELECT player_id, score FROM mon.src') AS board;
SELECT gamestats.create_leaderboard('mon.bad',
    'SELECT player_id, score FROM mon.src WHERE mon.fail_if(mon.feed_ok())') AS board;
SELECT gamestats.schedule_refresh('mon.good', '*/15 * * * *') > 0 AS scheduled;
INSERT INTO mon.src VALUES (4, 40);
SELECT gamestats.refresh_leaderboard('mon.bad', raise_error => false) AS refreshed;
RESET ROLE;

-- as a pg_monitor member: numbers, no error text, no access to the data
SET ROLE regress_mon_reader;
SELECT schema, table_name, runway_seconds > 86400 AS runway_over_a_day, default_rows, partitions,
       last_run_timestamp_seconds IS NOT NULL AS has_run, last_run_age_seconds >= 0 AS age_ok,
       last_run_duration_seconds >= 0 AS duration_ok, last_run_error
  FROM gamestats.monitoring_tables WHERE schema = 'mon' ORDER BY 1, 2;
SELECT schema, board, rows, last_refresh_timestamp_seconds IS NOT NULL AS refreshed,
       last_refresh_age_seconds >= 0 AS age_ok, last_refresh_duration_seconds >= 0 AS duration_ok,
       last_refresh_error, schedule_interval_seconds
  FROM gamestats.monitoring_boards WHERE schema = 'mon' ORDER BY 1, 2;
SELECT * FROM mon.src;
SELECT * FROM mon.good;
RESET ROLE;

-- runway as the views compute it: the end of the newest partition minus now
SELECT abs(t.runway_seconds - date_part('epoch', m.runway)) < 0.001 AS runway_matches
  FROM gamestats.monitoring_tables t
  JOIN gamestats.managed_tables m ON m.parent = format('%I.%I', t.schema, t.table_name)::regclass
 WHERE t.schema = 'mon' AND t.table_name = 'ev';

-- no column carries an error text
SELECT attrelid::regclass AS view, string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum) AS columns
  FROM pg_attribute
 WHERE attrelid IN ('gamestats.monitoring_tables'::regclass, 'gamestats.monitoring_boards'::regclass)
   AND attnum > 0
 GROUP BY attrelid ORDER BY 1;

-- other roles may not read the views or call the job reader
SET ROLE regress_mon_nobody;
SELECT * FROM gamestats.monitoring_tables;
SELECT * FROM gamestats.monitoring_boards;
SELECT * FROM gamestats.monitoring_job_schedules();
RESET ROLE;

-- dropped objects leave the views
SELECT count(*) AS jobs_before FROM gamestats.monitoring_job_schedules() \gset
DROP SCHEMA mon CASCADE;
SELECT (SELECT count(*) FROM gamestats.monitoring_tables WHERE schema = 'mon') AS tables,
       (SELECT count(*) FROM gamestats.monitoring_boards WHERE schema = 'mon') AS boards,
       :jobs_before - (SELECT count(*) FROM gamestats.monitoring_job_schedules()) AS jobs_gone;
REVOKE CREATE ON SCHEMA public FROM regress_mon_owner;
REVOKE USAGE ON SCHEMA cron FROM regress_mon_owner;
DROP ROLE regress_mon_owner, regress_mon_reader, regress_mon_nobody;
