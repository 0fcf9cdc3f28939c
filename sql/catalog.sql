-- The catalog of boards and managed tables: errors shown only to roles that
-- may read the relation; boards and tables forgotten (with their pg_cron
-- jobs) however they are dropped; only the jobs pg_gamestats made are
-- unscheduled, never a job found by a stale id; the extension cannot be
-- dropped while it manages anything.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_gamestats;
CREATE EXTENSION IF NOT EXISTS pg_cron;
RESET client_min_messages;
CREATE FUNCTION pg_temp.try(stmt text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE stmt;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
-- what the catalog holds: registered boards and tables, rows naming a
-- relation that is gone, and the pg_cron jobs
CREATE FUNCTION pg_temp.catalog_state(OUT boards text, OUT tables text, OUT dangling bigint, OUT jobs text)
LANGUAGE sql AS $$
SELECT (SELECT string_agg(board::text, ', ' ORDER BY board::text) FROM gamestats.leaderboard_config),
       (SELECT string_agg(parent::text, ', ' ORDER BY parent::text) FROM gamestats.partition_config),
       (SELECT count(*) FROM gamestats.leaderboard_config WHERE board NOT IN (SELECT oid FROM pg_class))
       + (SELECT count(*) FROM gamestats.leaderboard_segment WHERE board NOT IN (SELECT oid FROM pg_class))
       + (SELECT count(*) FROM gamestats.partition_config WHERE parent NOT IN (SELECT oid FROM pg_class)),
       (SELECT string_agg(jobname || ' (' || username || ')', ', ' ORDER BY jobname, username) FROM cron.job)
$$;
SELECT * FROM pg_temp.catalog_state();

CREATE ROLE regress_cat_owner;
CREATE ROLE regress_cat_reader;
CREATE ROLE regress_cat_other;
CREATE ROLE regress_cat_gone;
GRANT USAGE ON SCHEMA cron TO regress_cat_owner, regress_cat_other, regress_cat_gone;
CREATE SCHEMA cat AUTHORIZATION regress_cat_owner;
GRANT USAGE ON SCHEMA cat TO regress_cat_reader, regress_cat_other;
GRANT USAGE, CREATE ON SCHEMA cat TO regress_cat_gone;

-- last_error quotes row data: only the owner and roles that may read the
-- table or board see it
SET ROLE regress_cat_owner;
CREATE TABLE cat.ev (at timestamptz NOT NULL, player text) PARTITION BY RANGE (at);
SELECT gamestats.manage_partitions('cat.ev', '1 day', premake => 1, now => '2024-01-01');
CREATE TABLE cat.ev_p20240103 (x int);   -- a name clash: the next run fails
SELECT parent, error FROM gamestats.run_maintenance('cat.ev', now => '2024-01-02');
CREATE TABLE cat.scores (player_id text, score int);
INSERT INTO cat.scores VALUES ('bob@example.com', 1);
SELECT gamestats.create_leaderboard('cat.board', 'SELECT player_id, score FROM cat.scores');
INSERT INTO cat.scores VALUES ('bob@example.com', 2);
SELECT gamestats.refresh_leaderboard('cat.board', raise_error => false);
GRANT SELECT ON cat.ev, cat.board TO regress_cat_reader;
SELECT parent, last_error FROM gamestats.managed_tables;
SELECT board, last_error FROM gamestats.leaderboards;
SET ROLE regress_cat_reader;
SELECT parent, last_error FROM gamestats.managed_tables;
SELECT board, last_error FROM gamestats.leaderboards;
SET ROLE regress_cat_other;
SELECT parent, last_error FROM gamestats.managed_tables;
SELECT board, last_error FROM gamestats.leaderboards;
-- nor through the tables behind the views
SELECT pg_temp.try($$SELECT * FROM gamestats.partition_errors$$);
SELECT pg_temp.try($$SELECT * FROM gamestats.leaderboard_errors$$);
SELECT pg_temp.try($$SELECT last_error FROM gamestats.partition_config$$);
SELECT pg_temp.try($$SELECT last_error FROM gamestats.leaderboard_config$$);
-- the configuration itself stays readable (pg_dump by the owners copies it)
SELECT parent, premake FROM gamestats.partition_config;
SELECT board, player_column FROM gamestats.leaderboard_config;
RESET ROLE;
SELECT has_table_privilege('public', 'gamestats.partition_errors', 'SELECT') AS public_reads_partition_errors,
       has_table_privilege('public', 'gamestats.leaderboard_errors', 'SELECT') AS public_reads_leaderboard_errors;
-- fixed: the next run and refresh clear the errors
DROP TABLE cat.ev_p20240103;
DELETE FROM cat.scores WHERE score = 2;
SET ROLE regress_cat_owner;
SELECT parent, error FROM gamestats.run_maintenance('cat.ev', now => '2024-01-02');
SELECT gamestats.refresh_leaderboard('cat.board');
RESET ROLE;
SELECT (SELECT count(*) FROM gamestats.partition_errors) AS partition_errors,
       (SELECT count(*) FROM gamestats.leaderboard_errors) AS leaderboard_errors;

-- a stale job id (here edited in; a restored dump gives the same) naming
-- another user's job: dropping the board leaves that job alone and removes
-- the board's own
SET ROLE regress_cat_other;
SELECT cron.schedule('other-nightly', '0 4 * * *', 'SELECT 1') AS other_job \gset
-- a job of that user with the very name of a board's job
SELECT cron.schedule('gamestats-refresh-cat.b3', '0 5 * * *', 'SELECT 2') > 0 AS scheduled;
RESET ROLE;
SET ROLE regress_cat_owner;
SELECT gamestats.create_leaderboard(b, 'SELECT player_id, score FROM cat.scores') IS NOT NULL AS made,
       gamestats.schedule_refresh(b::regclass, '0 3 * * *') > 0 AS scheduled
  FROM unnest(ARRAY['cat.b1', 'cat.b2', 'cat.b3']) AS b;
RESET ROLE;
UPDATE gamestats.leaderboard_config SET jobid = :other_job
 WHERE board IN ('cat.b1'::regclass, 'cat.b2'::regclass);
SELECT jobs FROM pg_temp.catalog_state();
-- through the event trigger
SET ROLE regress_cat_owner;
DROP MATERIALIZED VIEW cat.b1;
RESET ROLE;
SELECT jobs FROM pg_temp.catalog_state();
-- through drop_leaderboard called by a superuser (who sees every job)
SELECT gamestats.drop_leaderboard('cat.b2');
SELECT jobs FROM pg_temp.catalog_state();
-- the same-named job of another user stays
SET ROLE regress_cat_owner;
SELECT gamestats.drop_leaderboard('cat.b3');
RESET ROLE;
SELECT jobs FROM pg_temp.catalog_state();
SET ROLE regress_cat_other;
SELECT cron.unschedule('gamestats-refresh-cat.b3');
RESET ROLE;

-- every way of dropping a board forgets it and unschedules its job
SET ROLE regress_cat_owner;
CREATE TABLE cat.totals (player_id bigint PRIMARY KEY, score int, bonus int);
INSERT INTO cat.totals SELECT i, i * 10, i FROM generate_series(1, 5) i;
CREATE VIEW cat.totals_v AS SELECT player_id, score FROM cat.totals;
CREATE FUNCTION cat.doubled(int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT $1 * 2';
SELECT gamestats.create_leaderboard('cat.by_view', 'SELECT player_id, score FROM cat.totals_v') IS NOT NULL AS made;
SELECT gamestats.create_leaderboard('cat.by_function', 'SELECT player_id, cat.doubled(score) AS score FROM cat.totals') IS NOT NULL AS made;
SELECT gamestats.create_leaderboard('cat.by_column',
    $q$SELECT player_id, bonus AS score, (player_id % 2)::text AS seg FROM cat.totals$q$,
    segment_column => 'seg') IS NOT NULL AS made;
SELECT gamestats.schedule_refresh(b, '0 3 * * *') > 0 AS scheduled
  FROM unnest(ARRAY['cat.by_view', 'cat.by_function', 'cat.by_column']::regclass[]) AS b;
RESET ROLE;
SELECT * FROM pg_temp.catalog_state();
SET ROLE regress_cat_owner;
DROP VIEW cat.totals_v CASCADE;
RESET ROLE;
SELECT * FROM pg_temp.catalog_state();
SET ROLE regress_cat_owner;
DROP FUNCTION cat.doubled(int) CASCADE;
RESET ROLE;
SELECT * FROM pg_temp.catalog_state();
SET ROLE regress_cat_owner;
ALTER TABLE cat.totals DROP COLUMN bonus CASCADE;
RESET ROLE;
SELECT * FROM pg_temp.catalog_state();

-- a managed table dropped through its row type
SET ROLE regress_cat_owner;
CREATE TYPE cat.ev_row AS (at timestamptz, v int);
CREATE TABLE cat.typed OF cat.ev_row PARTITION BY RANGE (at);
SELECT gamestats.manage_partitions('cat.typed', '1 day', premake => 1, now => '2024-01-01');
RESET ROLE;
SELECT tables, dangling FROM pg_temp.catalog_state();
SET ROLE regress_cat_owner;
DROP TYPE cat.ev_row CASCADE;
RESET ROLE;
SELECT tables, dangling FROM pg_temp.catalog_state();

-- DROP OWNED: a role's board (with its job) and managed table
SET ROLE regress_cat_gone;
CREATE TABLE cat.gone_src (player_id bigint, score int);
SELECT gamestats.create_leaderboard('cat.gone_board', 'SELECT player_id, score FROM cat.gone_src') IS NOT NULL AS made;
SELECT gamestats.schedule_refresh('cat.gone_board', '0 3 * * *') > 0 AS scheduled;
CREATE TABLE cat.gone_ev (at timestamptz NOT NULL) PARTITION BY RANGE (at);
SELECT gamestats.manage_partitions('cat.gone_ev', '1 day', premake => 1, now => '2024-01-01');
RESET ROLE;
SELECT * FROM pg_temp.catalog_state();
DROP OWNED BY regress_cat_gone;
SELECT * FROM pg_temp.catalog_state();

-- the extension cannot be dropped while it manages tables or boards, with
-- or without CASCADE, nor through its schema or its owner
SET ROLE regress_cat_owner;
SELECT gamestats.schedule_refresh('cat.board', '0 3 * * *') > 0 AS scheduled;
RESET ROLE;
DROP EXTENSION pg_gamestats;
DROP EXTENSION pg_gamestats CASCADE;
DROP EXTENSION IF EXISTS pg_cron, pg_gamestats CASCADE;
DROP SCHEMA gamestats CASCADE;
DROP OWNED BY CURRENT_USER CASCADE;
SELECT * FROM pg_temp.catalog_state();
-- one board left; DROP SCHEMA of the user's schema forgets it and its job
SELECT gamestats.unmanage_partitions('cat.ev');
DROP EXTENSION pg_gamestats;
DROP SCHEMA cat CASCADE;
SELECT * FROM pg_temp.catalog_state();
-- nothing registered: the extension drops, and comes back empty
DROP EXTENSION pg_gamestats;
CREATE EXTENSION pg_gamestats;
SELECT (SELECT count(*) FROM gamestats.managed_tables) AS tables,
       (SELECT count(*) FROM gamestats.leaderboards) AS boards;
SET ROLE regress_cat_other;
SELECT cron.unschedule('other-nightly');
RESET ROLE;
REVOKE USAGE ON SCHEMA cron FROM regress_cat_owner, regress_cat_other, regress_cat_gone;
DROP ROLE regress_cat_owner, regress_cat_reader, regress_cat_other, regress_cat_gone;
