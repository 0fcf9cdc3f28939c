-- The 'swap' refresh: new contents and ranks, same identity (OID, owner,
-- grants, comment, dependent view), new storage for the board, its indexes
-- and its TOAST table, no dead tuples, no leftovers; duplicates fail and
-- keep the old board; the query runs with the owner's rights; state in
-- gamestats.leaderboards and gamestats.leaderboard_segment; the other
-- strategies; scheduling with pg_cron.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_cron;
CREATE ROLE regress_lb_owner;
CREATE ROLE regress_lb_reader;
CREATE SCHEMA lbs AUTHORIZATION regress_lb_owner;
GRANT USAGE ON SCHEMA lbs TO regress_lb_reader;
SET ROLE regress_lb_owner;

CREATE TABLE lbs.scores (player_id int, region text, score int, nick text);
INSERT INTO lbs.scores
SELECT i, (ARRAY['eu', 'us'])[1 + i % 2], (i * 37) % 101,
       CASE WHEN i % 10 = 0
            THEN (SELECT string_agg(md5((i * 1000 + j)::text), '') FROM generate_series(1, 100) j)
            ELSE 'p' || i END
  FROM generate_series(1, 1000) i;
SELECT gamestats.create_leaderboard('lbs.board',
    'SELECT player_id, region, score, nick, current_user AS built_by FROM lbs.scores');
COMMENT ON MATERIALIZED VIEW lbs.board IS 'the weekly board';
GRANT SELECT ON lbs.board TO regress_lb_reader;
CREATE VIEW lbs.top3 AS SELECT rank, player_id, score FROM lbs.board WHERE rank <= 3;
RESET ROLE;

-- identity and storage before
CREATE TABLE lb_before AS
SELECT c.oid, c.relname, c.relfilenode, c.relowner::regrole, c.relacl,
       obj_description(c.oid, 'pg_class') AS comment
  FROM pg_class c
 WHERE c.oid = 'lbs.board'::regclass
    OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = 'lbs.board'::regclass);
CREATE TABLE lb_toast_before AS
SELECT reltoastrelid AS toast FROM pg_class WHERE oid = 'lbs.board'::regclass;
SELECT count(*) AS relations FROM lb_before;
SELECT * FROM lbs.top3 ORDER BY rank, player_id;
CREATE TABLE lb_nick_sums AS SELECT md5(string_agg(nick, ',' ORDER BY player_id)) AS nicks FROM lbs.board;

-- scores move; a superuser refreshes, the query still runs as the owner
UPDATE lbs.scores SET score = score + 200 WHERE player_id IN (5, 6, 7);
UPDATE lbs.scores SET nick = nick || '!' WHERE player_id % 10 = 0;
SELECT gamestats.refresh_leaderboard('lbs.board');
SELECT * FROM lbs.top3 ORDER BY rank, player_id;
SELECT DISTINCT built_by FROM lbs.board;

-- same identity, new storage for every relation of the board
SELECT b.relname, a.oid = b.oid AS same_oid, a.relowner = b.relowner::regrole AS same_owner,
       a.relacl IS NOT DISTINCT FROM b.relacl AS same_grants, a.comment IS NOT DISTINCT FROM b.comment AS same_comment,
       a.relfilenode <> b.relfilenode AS new_storage
  FROM lb_before b JOIN pg_class c ON c.oid = b.oid
  CROSS JOIN LATERAL (SELECT c.oid, c.relowner::regrole AS relowner, c.relacl, c.relfilenode,
                             obj_description(c.oid, 'pg_class') AS comment) a
 ORDER BY b.relname;
SELECT obj_description('lbs.board'::regclass, 'pg_class') AS comment;
-- the new pages went in frozen and all-visible: index-only scans need no heap
SELECT relallvisible = relpages AND relpages > 0 AS all_visible FROM pg_class WHERE oid = 'lbs.board'::regclass;
-- the TOAST table came along with the new rows: a new one, owned by the
-- board and named after it; the old one is gone
SELECT t.oid <> b.toast AS new_toast_table,
       t.relname = 'pg_toast_' || 'lbs.board'::regclass::oid AS named_after_board,
       (SELECT refobjid = 'lbs.board'::regclass FROM pg_depend
         WHERE classid = 'pg_class'::regclass AND objid = t.oid) AS owned_by_board,
       (SELECT count(*) FROM pg_class WHERE oid = b.toast) AS old_toast_left
  FROM lb_toast_before b, pg_class t
 WHERE t.oid = (SELECT reltoastrelid FROM pg_class WHERE oid = 'lbs.board'::regclass);
-- TOASTed values came through the swap
SELECT (SELECT md5(string_agg(nick, ',' ORDER BY player_id)) FROM lbs.board) <> nicks AS nicks_changed,
       (SELECT count(*) FROM lbs.board WHERE nick LIKE '%!' AND length(nick) = 3201) AS long_nicks_updated
  FROM lb_nick_sums;
-- ranks equal a direct ranking of the source
SELECT count(*) AS mismatches FROM (
    (SELECT rank, player_id, score FROM lbs.board
     EXCEPT ALL
     SELECT rank() OVER (ORDER BY score DESC), player_id, score FROM lbs.scores)
    UNION ALL
    (SELECT rank() OVER (ORDER BY score DESC), player_id, score FROM lbs.scores
     EXCEPT ALL
     SELECT rank, player_id, score FROM lbs.board)) d;
-- the indexes point at the new rows
SET enable_seqscan = off;
SET enable_bitmapscan = off;
SELECT rank, player_id, score FROM lbs.board WHERE player_id = 6;
SELECT player_id FROM lbs.board WHERE rank = 1;
SELECT count(*) FROM lbs.board WHERE score >= 200;
RESET enable_seqscan;
RESET enable_bitmapscan;
-- no transient relation left behind
SELECT count(*) AS leftovers FROM pg_class WHERE relname LIKE 'pg\_temp\_%';

-- the reader may read, not refresh
SET ROLE regress_lb_reader;
SELECT count(*) FROM lbs.board;
SELECT gamestats.refresh_leaderboard('lbs.board');
SELECT gamestats.drop_leaderboard('lbs.board');
SELECT gamestats.schedule_refresh('lbs.board', '0 3 * * *');
RESET ROLE;

-- no dead tuples after swaps; REFRESH CONCURRENTLY leaves them
SELECT gamestats.refresh_leaderboard('lbs.board') FROM generate_series(1, 3);
SELECT pg_stat_force_next_flush();
SELECT n_dead_tup, n_tup_upd, n_tup_del FROM pg_stat_user_tables WHERE relid = 'lbs.board'::regclass;
UPDATE lbs.scores SET score = score + 1 WHERE player_id % 2 = 0;
SELECT gamestats.refresh_leaderboard('lbs.board', 'concurrently');
SELECT pg_stat_force_next_flush();
SELECT n_dead_tup > 0 AS concurrently_left_dead_tuples FROM pg_stat_user_tables WHERE relid = 'lbs.board'::regclass;
SELECT gamestats.refresh_leaderboard('lbs.board', 'blocking');
SELECT board, rows, segments, last_strategy, last_error, last_refresh_ms >= 0 AS timed
  FROM gamestats.leaderboards;

-- duplicates: the refresh fails, the old board stays
CREATE TABLE lb_storage AS SELECT relfilenode FROM pg_class WHERE oid = 'lbs.board'::regclass;
INSERT INTO lbs.scores VALUES (6, 'eu', 1, 'again');
SELECT gamestats.refresh_leaderboard('lbs.board');
SELECT (SELECT relfilenode FROM pg_class WHERE oid = 'lbs.board'::regclass) = relfilenode AS same_storage,
       (SELECT count(*) FROM lbs.board) AS rows,
       (SELECT score FROM lbs.board WHERE player_id = 6) AS score_of_6
  FROM lb_storage;
-- raise_error => false: NULL, a warning, the error kept in last_error
SET client_min_messages = warning;
SELECT gamestats.refresh_leaderboard('lbs.board', raise_error => false);
SELECT board, rows, last_strategy, last_error FROM gamestats.leaderboards;
DELETE FROM lbs.scores WHERE nick = 'again';
SELECT gamestats.refresh_leaderboard('lbs.board', raise_error => false);
SELECT board, rows, last_strategy, last_error FROM gamestats.leaderboards;

-- a segmented board keeps its per-segment sizes with every refresh
SELECT gamestats.create_leaderboard('lbs.by_region', 'SELECT player_id, region, score FROM lbs.scores',
                                    segment_column => 'region');
SELECT segment, rows FROM gamestats.leaderboard_segment WHERE board = 'lbs.by_region'::regclass ORDER BY 1;
INSERT INTO lbs.scores VALUES (1001, 'asia', 50, 'new'), (1002, 'asia', 60, 'new2'), (1003, NULL, 70, 'nowhere');
UPDATE lbs.scores SET region = 'eu' WHERE player_id = 1;
SELECT gamestats.refresh_leaderboard('lbs.by_region');
SELECT segment, rows FROM gamestats.leaderboard_segment WHERE board = 'lbs.by_region'::regclass ORDER BY 1;
SELECT region, rank, player_id, score FROM lbs.by_region WHERE region = 'asia' ORDER BY rank;
SELECT gamestats.refresh_leaderboard('lbs.by_region', 'concurrently');
SELECT board, rows, segments, last_strategy FROM gamestats.leaderboards ORDER BY board::text;

-- pg_cron: one job per board, rescheduling updates it, drop removes it
SELECT gamestats.schedule_refresh('lbs.board', '0 3 * * *') AS jobid \gset
SELECT jobname, schedule, jobid = :jobid AS same_job,
       command = format('SELECT gamestats.refresh_leaderboard(%L::pg_catalog.regclass, raise_error => false)',
                        'lbs.board') AS refreshes_board_by_name
  FROM cron.job WHERE jobname LIKE 'gamestats-refresh-%';
SELECT gamestats.schedule_refresh('lbs.board', '30 4 * * *') = :jobid AS same_job;
SELECT board, schedule, jobid = :jobid AS same_job FROM gamestats.leaderboards ORDER BY board::text;
-- the view survives, so the board cannot go without cascade
SELECT gamestats.drop_leaderboard('lbs.board');
SELECT gamestats.drop_leaderboard('lbs.board', cascade => true);
SELECT count(*) AS jobs FROM cron.job WHERE jobname LIKE 'gamestats-refresh-%';
SELECT to_regclass('lbs.board') AS board, to_regclass('lbs.top3') AS view;
SELECT board FROM gamestats.leaderboards;
SELECT gamestats.drop_leaderboard('lbs.by_region');
SELECT count(*) AS configs, (SELECT count(*) FROM gamestats.leaderboard_segment) AS segments
  FROM gamestats.leaderboard_config;

DROP TABLE lb_before, lb_toast_before, lb_nick_sums, lb_storage;
DROP SCHEMA lbs CASCADE;
DROP ROLE regress_lb_owner, regress_lb_reader;
