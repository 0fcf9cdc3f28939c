-- Bad input to the leaderboard functions: each is an error with an SQLSTATE
-- and a hint, and leaves nothing behind.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_cron;
CREATE TABLE lbe (player_id int, score int, region text, pos point, doc json, rank int, at timestamptz);
INSERT INTO lbe VALUES (1, 10, 'eu', '(1,2)', '{}', 3, now()), (2, 20, 'us', '(3,4)', '{}', 1, now());
CREATE TABLE lbe_taken (x int);
CREATE FUNCTION lbe_objects() RETURNS bigint LANGUAGE sql AS $$
    SELECT (SELECT count(*) FROM pg_class WHERE relname LIKE 'lbe\_b%' OR relname LIKE 'pg\_temp\_%')
         + (SELECT count(*) FROM gamestats.leaderboard_config)
         + (SELECT count(*) FROM gamestats.leaderboard_segment) $$;
-- Runs one call and shows the error it raises: SQLSTATE, message, detail, hint.
CREATE FUNCTION lbe_try(call text)
RETURNS TABLE (code text, message text, detail text, hint text)
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE call;
    code := '00000';
    RETURN NEXT;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS code = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
                            detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
    RETURN NEXT;
END
$$;
\x on

-- not a SELECT
SELECT * FROM lbe_try($$SELECT gamestats.create_leaderboard('lbe_b', 'DELETE FROM lbe')$$);
SELECT * FROM lbe_try($$SELECT gamestats.create_leaderboard('lbe_b', 'SELECT player_id, score FROM lbe; DROP TABLE lbe')$$);
SELECT * FROM lbe_try($$SELECT gamestats.create_leaderboard('lbe_b', '')$$);
SELECT * FROM lbe_try($$SELECT gamestats.create_leaderboard('lbe_b', 'SELECT player_id, score INTO lbe_copy FROM lbe')$$);
SELECT * FROM lbe_try($$SELECT gamestats.create_leaderboard('lbe_b', 'SELECT player_id, score FROM lbe FOR UPDATE')$$);
SELECT * FROM lbe_try($$SELECT gamestats.create_leaderboard('lbe_b', 'SELEC player_id FROM lbe')$$);
SELECT * FROM lbe_try($$SELECT gamestats.create_leaderboard('lbe_b', 'SELECT player_id, score FROM no_such_table')$$);
-- columns
SELECT * FROM lbe_try($$SELECT gamestats.create_leaderboard('lbe_b', 'SELECT player_id, score AS points FROM lbe')$$);
SELECT * FROM lbe_try($$SELECT gamestats.create_leaderboard('lbe_b', 'SELECT player_id AS id, score FROM lbe')$$);
SELECT * FROM lbe_try($$SELECT gamestats.create_leaderboard('lbe_b', 'SELECT player_id, score FROM lbe', tiebreak_column => 'at')$$);
SELECT * FROM lbe_try($$SELECT gamestats.create_leaderboard('lbe_b', 'SELECT player_id, score, region FROM lbe', segment_column => 'regoin')$$);
SELECT * FROM lbe_try($$SELECT gamestats.create_leaderboard('lbe_b', 'SELECT player_id, score, rank FROM lbe')$$);
SELECT * FROM lbe_try($$SELECT gamestats.create_leaderboard('lbe_b', 'SELECT player_id, score, region AS x, at AS x FROM lbe')$$);
SELECT * FROM lbe_try($$SELECT gamestats.create_leaderboard('lbe_b', 'SELECT player_id, score, region FROM lbe', segment_column => 'score')$$);
SELECT * FROM lbe_try($$SELECT gamestats.create_leaderboard('lbe_b', 'SELECT player_id, score FROM lbe', score_column => 'player_id')$$);
-- types without an order
SELECT * FROM lbe_try($$SELECT gamestats.create_leaderboard('lbe_b', 'SELECT player_id, pos AS score FROM lbe')$$);
SELECT * FROM lbe_try($$SELECT gamestats.create_leaderboard('lbe_b', 'SELECT player_id, doc AS score FROM lbe')$$);
SELECT * FROM lbe_try($$SELECT gamestats.create_leaderboard('lbe_b', 'SELECT doc AS player_id, score FROM lbe')$$);
SELECT * FROM lbe_try($$SELECT gamestats.create_leaderboard('lbe_b', 'SELECT player_id, score, pos FROM lbe', tiebreak_column => 'pos')$$);
-- arguments
SELECT * FROM lbe_try($$SELECT gamestats.create_leaderboard('lbe_b', 'SELECT player_id, score FROM lbe', rank_type => 'olympic')$$);
SELECT * FROM lbe_try($$SELECT gamestats.create_leaderboard('lbe_b', 'SELECT player_id, score FROM lbe', rank_type => NULL)$$);
SELECT * FROM lbe_try($$SELECT gamestats.create_leaderboard(NULL, 'SELECT player_id, score FROM lbe')$$);
SELECT * FROM lbe_try($$SELECT gamestats.create_leaderboard('lbe_b', NULL)$$);
SELECT * FROM lbe_try($$SELECT gamestats.create_leaderboard('lbe_b', 'SELECT player_id, score FROM lbe', descending => NULL)$$);
-- names
SELECT * FROM lbe_try($$SELECT gamestats.create_leaderboard('lbe_taken', 'SELECT player_id, score FROM lbe')$$);
SELECT * FROM lbe_try($$SELECT gamestats.create_leaderboard('no_such_schema.lbe_b', 'SELECT player_id, score FROM lbe')$$);
SELECT * FROM lbe_try($$SELECT gamestats.create_leaderboard('pg_temp.lbe_b', 'SELECT player_id, score FROM lbe')$$);
SELECT * FROM lbe_try($$SELECT gamestats.create_leaderboard('"unterminated', 'SELECT player_id, score FROM lbe')$$);
-- duplicates at create
SELECT * FROM lbe_try($$SELECT gamestats.create_leaderboard('lbe_b', 'SELECT player_id, score FROM lbe UNION ALL SELECT 1, 5')$$);
SELECT * FROM lbe_try($$SELECT gamestats.create_leaderboard('lbe_b', 'SELECT player_id, score, region FROM lbe UNION ALL SELECT 1, 5, ''eu''',
                                    segment_column => 'region')$$);
-- the query runs with search_path = pg_catalog, pg_temp (as every refresh
-- does): a function that relies on the caller's search_path fails at once
CREATE FUNCTION lbe_bonus() RETURNS int LANGUAGE sql AS 'SELECT count(*)::int FROM lbe';
SELECT * FROM lbe_try($$SELECT gamestats.create_leaderboard('lbe_b', 'SELECT player_id, score + lbe_bonus() AS score FROM lbe')$$);
ALTER FUNCTION lbe_bonus() SET search_path = public;
SELECT * FROM lbe_try($$SELECT gamestats.create_leaderboard('lbe_b', 'SELECT player_id, score + lbe_bonus() AS score FROM lbe')$$);
SELECT * FROM lbe_try($$SELECT gamestats.drop_leaderboard('lbe_b')$$);
DROP FUNCTION lbe_bonus();
-- nothing was made by any of the above
SELECT lbe_objects() AS objects_left;

-- a duplicate player in another segment is fine
SELECT gamestats.create_leaderboard('lbe_b', 'SELECT player_id, score, region FROM lbe UNION ALL SELECT 1, 5, ''us''',
                                    segment_column => 'region');
\x off
SELECT * FROM lbe_b ORDER BY region, rank;

-- refresh, schedule, drop: not a board, bad strategy
\x on
SELECT * FROM lbe_try($$SELECT gamestats.refresh_leaderboard('lbe_taken')$$);
SELECT * FROM lbe_try($$SELECT gamestats.refresh_leaderboard('lbe_b', 'quick')$$);
SELECT * FROM lbe_try($$SELECT gamestats.refresh_leaderboard('lbe_b', NULL)$$);
SELECT * FROM lbe_try($$SELECT gamestats.refresh_leaderboard(NULL)$$);
SELECT * FROM lbe_try($$SELECT gamestats.refresh_leaderboard(1)$$);
CREATE MATERIALIZED VIEW lbe_mv AS SELECT 1 AS rank;
SELECT * FROM lbe_try($$SELECT gamestats.refresh_leaderboard('lbe_mv')$$);
SELECT * FROM lbe_try($$SELECT gamestats.drop_leaderboard('lbe_mv')$$);
SELECT * FROM lbe_try($$SELECT gamestats.schedule_refresh('lbe_mv', '* * * * *')$$);
-- pg_cron's own error (its hint differs between pg_cron versions)
SELECT code, message FROM lbe_try($$SELECT gamestats.schedule_refresh('lbe_b', 'every now and then')$$);
SELECT * FROM lbe_try($$SELECT gamestats.drop_leaderboard('lbe_taken')$$);
-- a board is not refreshed inside a query that reads it
SELECT * FROM lbe_try($$SELECT gamestats.refresh_leaderboard('lbe_b') FROM lbe_b LIMIT 1$$);
-- failures left the board as it was
\x off
SELECT board, rows, segments, last_strategy, last_error FROM gamestats.leaderboards;

-- non-owners get 42501
CREATE ROLE regress_lbe_other;
GRANT SELECT ON lbe_b TO regress_lbe_other;
SET ROLE regress_lbe_other;
\x on
SELECT * FROM lbe_try($$SELECT gamestats.refresh_leaderboard('lbe_b')$$);
SELECT * FROM lbe_try($$SELECT gamestats.refresh_leaderboard('lbe_b', raise_error => false)$$);
SELECT * FROM lbe_try($$SELECT gamestats.drop_leaderboard('lbe_b')$$);
SELECT * FROM lbe_try($$SELECT gamestats.schedule_refresh('lbe_b', '0 0 * * *')$$);
-- and cannot write the configuration directly
SELECT * FROM lbe_try($$UPDATE gamestats.leaderboard_config SET query = 'SELECT 1'$$);
SELECT * FROM lbe_try($$DELETE FROM gamestats.leaderboard_segment$$);
\x off
SELECT count(*) AS readable FROM gamestats.leaderboards;
RESET ROLE;

-- a board dropped by hand: the event trigger forgets its configuration, so
-- there is nothing left for refresh or drop_leaderboard to act on
SELECT 'lbe_b'::regclass::oid AS board_oid \gset
DROP MATERIALIZED VIEW lbe_b;
SELECT count(*) AS orphans FROM gamestats.leaderboard_config;
SELECT * FROM lbe_try(format('SELECT gamestats.refresh_leaderboard(%s)', :board_oid)) \gset err_
SELECT :'err_code' AS code, :'err_message' LIKE 'leaderboard with OID % does not exist' AS message_ok;
SELECT * FROM lbe_try(format('SELECT gamestats.drop_leaderboard(%s)', :board_oid)) \gset err_
SELECT :'err_code' AS code, :'err_message' LIKE 'leaderboard with OID % does not exist' AS message_ok;
SELECT lbe_objects() AS objects_left;

DROP ROLE regress_lbe_other;
DROP MATERIALIZED VIEW lbe_mv;
DROP TABLE lbe, lbe_taken;
DROP FUNCTION lbe_objects, lbe_try;
