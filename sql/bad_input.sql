-- Bad input catalog: wrong calls across every function, each showing its
-- SQLSTATE and message.  None may be XX000 (internal error), none may crash
-- the backend, none may leave anything behind (checked at the end).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_gamestats;
CREATE EXTENSION IF NOT EXISTS pg_cron;   -- so that schedules reach its parser
CREATE FUNCTION pg_temp.try(stmt text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE stmt;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
CREATE TABLE calls (n serial, stmt text, result text);

-- fixtures
CREATE TABLE plain (id int PRIMARY KEY, at timestamptz);
CREATE TABLE ev (at timestamptz NOT NULL, v int) PARTITION BY RANGE (at);
CREATE TABLE ev_list (region text NOT NULL) PARTITION BY LIST (region);
CREATE TABLE ev_hash (id int NOT NULL) PARTITION BY HASH (id);
CREATE TABLE ev_multi (a timestamptz NOT NULL, b int NOT NULL) PARTITION BY RANGE (a, b);
CREATE TABLE ev_text (k text NOT NULL) PARTITION BY RANGE (k);
CREATE TABLE ev_expr (at timestamp NOT NULL) PARTITION BY RANGE (date_trunc('day', at));
CREATE TABLE ev_epoch (at bigint NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE sc (player_id bigint PRIMARY KEY, score int, pt point, js json, region text);
INSERT INTO sc VALUES (1, 10, '(0,0)', '{}', 'eu'), (2, 20, '(1,1)', '{}', 'na');
CREATE TABLE dup (player_id bigint, score int);
INSERT INTO dup VALUES (1, 1), (1, 2);
CREATE VIEW v AS SELECT 1 AS x;
SELECT gamestats.create_leaderboard('b', 'SELECT player_id, score FROM sc') IS NOT NULL AS made;
SELECT gamestats.create_leaderboard('bs', 'SELECT player_id, score, region FROM sc', segment_column => 'region') IS NOT NULL AS made;
CREATE MATERIALIZED VIEW mv AS SELECT 1::bigint AS rank;

-- manage_partitions





INSERT INTO calls (stmt) VALUES
    ($$SELECT gamestats.manage_partitions(NULL, '1 day')$$),
    ($$SELECT gamestats.manage_partitions('ev', NULL)$$),
    ($$SELECT gamestats.manage_partitions('no_such_table', '1 day')$$),
    ($$SELECT gamestats.manage_partitions('plain', '1 day')$$),
    ($$SELECT gamestats.manage_partitions('v', '1 day')$$),
    ($$SELECT gamestats.manage_partitions('ev_list', '1 day')$$),
    ($$SELECT gamestats.manage_partitions('ev_hash', '1 day')$$),
    ($$SELECT gamestats.manage_partitions('ev_multi', '1 day')$$),
    ($$SELECT gamestats.manage_partitions('ev_text', '1 day')$$),
    ($$SELECT gamestats.manage_partitions('ev_expr', '1 day')$$),
    ($$SELECT gamestats.manage_partitions('ev', '7 minutes')$$),
    ($$SELECT gamestats.manage_partitions('ev', '5 hours')$$),
    ($$SELECT gamestats.manage_partitions('ev', '2 days')$$),
    ($$SELECT gamestats.manage_partitions('ev', '2 months')$$),
    ($$SELECT gamestats.manage_partitions('ev', '1 day 1 hour')$$),
    ($$SELECT gamestats.manage_partitions('ev', '-1 day')$$),
    ($$SELECT gamestats.manage_partitions('ev', '0 seconds')$$),
    ($$SELECT gamestats.manage_partitions('ev', '1 day', premake => -1)$$),
    ($$SELECT gamestats.manage_partitions('ev', '1 day', premake => NULL)$$),
    ($$SELECT gamestats.manage_partitions('ev', '1 day', premake => 100000)$$),
    ($$SELECT gamestats.manage_partitions('ev', '1 day', retention => '-3 days')$$),
    ($$SELECT gamestats.manage_partitions('ev', '1 day', retention_mode => 'shred')$$),
    ($$SELECT gamestats.manage_partitions('ev', '1 day', retention_mode => NULL)$$),
    ($$SELECT gamestats.manage_partitions('ev', '1 day', epoch => 'seconds')$$),
    ($$SELECT gamestats.manage_partitions('ev_epoch', '1 day')$$),
    ($$SELECT gamestats.manage_partitions('ev_epoch', '1 day', epoch => 'nanoseconds')$$),
    ($$SELECT gamestats.manage_partitions('ev', '1 day', start_time => 'infinity')$$),
    ($$SELECT gamestats.manage_partitions('ev', '1 day', default_partition => NULL)$$),
    ($$SELECT gamestats.manage_partitions('ev', '1 day')$$),
    ($$SELECT gamestats.manage_partitions('ev', '1 day')$$),  -- already managed
    -- alter / unmanage / run / schedule
    ($$SELECT gamestats.alter_partitions('plain', premake => 3)$$),
    ($$SELECT gamestats.alter_partitions('ev_list', premake => 3)$$),
    ($$SELECT gamestats.alter_partitions(NULL, premake => 3)$$),
    ($$SELECT gamestats.alter_partitions('ev', premake => -2)$$),
    ($$SELECT gamestats.alter_partitions('ev', retention => '-1 day')$$),
    ($$SELECT gamestats.alter_partitions('ev', retention_mode => 'burn')$$),
    ($$SELECT gamestats.unmanage_partitions('plain')$$),
    ($$SELECT gamestats.unmanage_partitions(NULL)$$),
    ($$SELECT gamestats.unmanage_partitions('no_such_table')$$),
    ($$SELECT * FROM gamestats.run_maintenance('plain')$$),
    ($$SELECT * FROM gamestats.run_maintenance('no_such_table')$$),
    ($$SELECT gamestats.schedule_maintenance(NULL)$$),
    ($$SELECT gamestats.schedule_maintenance('not a schedule')$$),
    ($$SELECT gamestats.schedule_maintenance('*/5 * * * *; DROP TABLE sc')$$),
    -- create_leaderboard
    ($$SELECT gamestats.create_leaderboard(NULL, 'SELECT 1')$$),
    ($$SELECT gamestats.create_leaderboard('x1', NULL)$$),
    ($$SELECT gamestats.create_leaderboard('x1', 'DELETE FROM sc RETURNING player_id, score')$$),
    ($$SELECT gamestats.create_leaderboard('x1', 'SELECT player_id, score FROM sc; DROP TABLE sc')$$),
    ($$SELECT gamestats.create_leaderboard('x1', 'SELEC player_id FROM sc')$$),
    ($$SELECT gamestats.create_leaderboard('x1', 'SELECT player_id, score FROM no_such_table')$$),
    ($$SELECT gamestats.create_leaderboard('x1', 'SELECT player_id FROM sc')$$),
    ($$SELECT gamestats.create_leaderboard('x1', 'SELECT score FROM sc')$$),
    ($$SELECT gamestats.create_leaderboard('x1', 'SELECT player_id, pt AS score FROM sc')$$),
    ($$SELECT gamestats.create_leaderboard('x1', 'SELECT player_id, js AS score FROM sc')$$),
    ($$SELECT gamestats.create_leaderboard('x1', 'SELECT player_id, score, 1 AS rank FROM sc')$$),
    ($$SELECT gamestats.create_leaderboard('x1', 'SELECT player_id, score FROM dup')$$),
    ($$SELECT gamestats.create_leaderboard('x1', 'SELECT player_id, score FROM sc', tiebreak_column => 'nope')$$),
    ($$SELECT gamestats.create_leaderboard('x1', 'SELECT player_id, score FROM sc', segment_column => 'nope')$$),
    ($$SELECT gamestats.create_leaderboard('x1', 'SELECT player_id, score FROM sc', segment_column => 'score')$$),
    ($$SELECT gamestats.create_leaderboard('x1', 'SELECT player_id, score FROM sc', rank_type => 'olympic')$$),
    ($$SELECT gamestats.create_leaderboard('x1', 'SELECT player_id, score FROM sc', rank_type => NULL)$$),
    ($$SELECT gamestats.create_leaderboard('x1', 'SELECT player_id, score FROM sc', descending => NULL)$$),
    ($$SELECT gamestats.create_leaderboard('b', 'SELECT player_id, score FROM sc')$$),
    ($$SELECT gamestats.create_leaderboard('sc', 'SELECT player_id, score FROM sc')$$),
    ($$SELECT gamestats.create_leaderboard('no_schema.x1', 'SELECT player_id, score FROM sc')$$),
    -- refresh / schedule / drop
    ($$SELECT gamestats.refresh_leaderboard(NULL)$$),
    ($$SELECT gamestats.refresh_leaderboard('sc')$$),
    ($$SELECT gamestats.refresh_leaderboard('mv')$$),
    ($$SELECT gamestats.refresh_leaderboard('no_such_board')$$),
    ($$SELECT gamestats.refresh_leaderboard('b', 'fastest')$$),
    ($$SELECT gamestats.refresh_leaderboard('b', NULL)$$),
    ($$SELECT gamestats.schedule_refresh('sc', '* * * * *')$$),
    ($$SELECT gamestats.schedule_refresh('b', NULL)$$),
    ($$SELECT gamestats.schedule_refresh('b', 'whenever')$$),
    ($$SELECT gamestats.drop_leaderboard('sc')$$),
    ($$SELECT gamestats.drop_leaderboard('mv')$$),
    ($$SELECT gamestats.drop_leaderboard(NULL)$$),
    -- queries
    ($$SELECT * FROM gamestats.top(NULL::b, -1)$$),
    ($$SELECT * FROM gamestats.top(NULL::b, 5, 0)$$),
    ($$SELECT * FROM gamestats.top(NULL::b, 5, -9223372036854775808)$$),
    ($$SELECT * FROM gamestats.top(NULL::b, NULL)$$),
    ($$SELECT * FROM gamestats.top(NULL::sc, 5)$$),
    ($$SELECT * FROM gamestats.top(NULL::mv, 5)$$),
    ($$SELECT * FROM gamestats.top(NULL::int, 5)$$),
    ($$SELECT * FROM gamestats.top(NULL::v, 5)$$),
    ($$SELECT * FROM gamestats.top(NULL::bs, 5)$$),
    ($$SELECT * FROM gamestats.top(NULL::b, 5, segment => 'eu')$$),
    ($$SELECT * FROM gamestats.top(NULL::b, 2000000000)$$),
    ($$SELECT * FROM gamestats.around(NULL::b, 1, -1, 1)$$),
    ($$SELECT * FROM gamestats.around(NULL::b, 1, 1, NULL)$$),
    ($$SELECT * FROM gamestats.around(NULL::b, 'one'::text)$$),
    ($$SELECT * FROM gamestats.around(NULL::b, 1, 2000000000, 2000000000)$$),
    ($$SELECT * FROM gamestats.ranks(NULL::b, ARRAY['a'])$$),
    ($$SELECT * FROM gamestats.ranks(NULL::b, ARRAY[[1], [2]])$$),
    ($$SELECT * FROM gamestats.ranks(NULL::sc, ARRAY[1])$$),
    ($$SELECT * FROM gamestats.ranks(NULL::bs, ARRAY[1])$$),
    ($$SELECT gamestats.rank_for_score(NULL::b, 'x'::text)$$),
    ($$SELECT gamestats.rank_for_score(NULL::b, '(1,1)'::point)$$),
    ($$SELECT gamestats.rank_for_score(NULL::plain, 1)$$),
    ($$SELECT gamestats.board_size(NULL::plain)$$),
    ($$SELECT gamestats.board_size(NULL::bs)$$),
    ($$SELECT * FROM gamestats.lookup(NULL::ev, ARRAY[1])$$),
    ($$SELECT * FROM gamestats.lookup(NULL::v, ARRAY[1])$$),
    ($$SELECT * FROM gamestats.lookup(NULL::dup, ARRAY[1])$$),
    ($$SELECT * FROM gamestats.lookup(NULL::plain, ARRAY['x'])$$),
    ($$SELECT * FROM gamestats.lookup(NULL::plain, ARRAY[1], key_index => 'sc_pkey')$$),
    ($$SELECT * FROM gamestats.lookup(NULL::plain, ARRAY[1], key_index => 'plain')$$),
    ($$SELECT * FROM gamestats.lookup(NULL::text, ARRAY[1])$$),
    ($$SELECT * FROM gamestats.lookup(NULL::plain, NULL::int[])$$);
-- each call runs in its own subtransaction (the EXCEPTION block of try())
UPDATE calls SET result = pg_temp.try(stmt);
SELECT n, result, stmt FROM calls ORDER BY n;
SELECT count(*) AS calls, count(*) FILTER (WHERE result LIKE 'XX%') AS internal_errors,
       count(*) FILTER (WHERE result = 'ok') AS succeeded
  FROM calls;
-- nothing half-made: only the fixtures' boards (those of other files left
-- out), only the one managed table
SELECT board FROM gamestats.leaderboards WHERE board::text NOT LIKE 'board\_%' ORDER BY 1;
SELECT parent FROM gamestats.managed_tables ORDER BY 1;
SELECT relname FROM pg_class WHERE relname LIKE 'x1%' OR relname LIKE 'pg_temp_%' ORDER BY 1;
-- a schedule is a value handed to pg_cron, never SQL: sc is still there
SELECT count(*) AS sc_rows FROM sc;
SELECT schedule, command FROM cron.job ORDER BY jobid;
SELECT cron.unschedule(jobid) FROM cron.job;
