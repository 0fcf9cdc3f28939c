-- Leaderboard rank semantics: every combination of descending, tiebreak,
-- segment and rank_type against rank() / dense_rank() / row_number()
-- computed directly over the same rows; integer, numeric, float and
-- interval scores; NULL scores (and players, segments) left out.
SET client_min_messages = warning;
CREATE TABLE lb_players (
    player_id  integer,
    region     text,
    score      integer,
    score_num  numeric,
    score_f    double precision,
    best_lap   interval,
    reached_at timestamptz
);
-- 300 players over 3 regions, many ties on every score type, some NULLs
INSERT INTO lb_players
SELECT i,
       (ARRAY['eu', 'us', 'asia'])[1 + i % 3],
       CASE WHEN i % 17 = 0 THEN NULL ELSE (i * 7919) % 23 END,
       CASE WHEN i % 19 = 0 THEN NULL ELSE ((i * 7919) % 11) / 4.0 END,
       CASE WHEN i % 23 = 0 THEN NULL ELSE ((i * 104729) % 13) * 0.5 END,
       CASE WHEN i % 29 = 0 THEN NULL ELSE make_interval(secs => 60 + (i * 31) % 9) END,
       '2026-01-01 00:00:00+00'::timestamptz + make_interval(mins => (i * 37) % 41)
  FROM generate_series(1, 300) AS i;
-- one player without a region: left out of segmented boards only
INSERT INTO lb_players VALUES (301, NULL, 22, 2.5, 6.0, '60 s', '2026-01-01 00:00:00+00');

-- For each combination: build the board, compare it with the reference
-- (rows in one and not the other, both ways), and drop it.
CREATE FUNCTION lb_check(score_col text, descending boolean, tiebreak text,
                         segment text, rank_type text)
RETURNS TABLE (board_rows bigint, mismatches bigint)
LANGUAGE plpgsql AS $$
DECLARE
    fn text := CASE rank_type WHEN 'competition' THEN 'rank'
                              WHEN 'dense' THEN 'dense_rank'
                              ELSE 'row_number' END;
    ref text;
BEGIN
    PERFORM gamestats.create_leaderboard('lb_check_board',
        format('SELECT player_id, region, %I AS points, reached_at FROM lb_players', score_col),
        score_column => 'points', descending => descending,
        tiebreak_column => tiebreak, segment_column => segment,
        rank_type => rank_type);
    ref := format(
        'SELECT %s() OVER (%s ORDER BY points %s %s %s) AS rank, player_id, points
           FROM (SELECT player_id, region, %I AS points, reached_at FROM lb_players) p
          WHERE points IS NOT NULL %s',
        fn,
        CASE WHEN segment IS NULL THEN '' ELSE 'PARTITION BY region' END,
        CASE WHEN descending THEN 'DESC' ELSE 'ASC' END,
        CASE WHEN tiebreak IS NULL THEN '' ELSE ', reached_at' END,
        CASE WHEN rank_type = 'ordinal' THEN ', player_id' ELSE '' END,
        score_col,
        CASE WHEN segment IS NULL THEN '' ELSE 'AND region IS NOT NULL' END);
    EXECUTE 'SELECT count(*) FROM lb_check_board' INTO board_rows;
    EXECUTE format('SELECT count(*) FROM ((SELECT rank, player_id, points FROM lb_check_board EXCEPT ALL %s)
                                          UNION ALL (%s EXCEPT ALL SELECT rank, player_id, points FROM lb_check_board)) d',
                   ref, ref) INTO mismatches;
    PERFORM gamestats.drop_leaderboard('lb_check_board');
    RETURN NEXT;
END
$$;

SELECT d.descending, t.tiebreak, s.segment, r.rank_type, c.*
  FROM (VALUES (true), (false)) AS d(descending),
       (VALUES (NULL), ('reached_at')) AS t(tiebreak),
       (VALUES (NULL), ('region')) AS s(segment),
       (VALUES ('competition'), ('dense'), ('ordinal')) AS r(rank_type),
       LATERAL lb_check('score', d.descending, t.tiebreak, s.segment, r.rank_type) AS c
 ORDER BY 1 DESC, 2 NULLS FIRST, 3 NULLS FIRST, 4;

-- numeric, float and interval scores
SELECT sc.score_col, d.descending, r.rank_type, c.*
  FROM (VALUES ('score_num'), ('score_f'), ('best_lap')) AS sc(score_col),
       (VALUES (true), (false)) AS d(descending),
       (VALUES ('competition'), ('dense'), ('ordinal')) AS r(rank_type),
       LATERAL lb_check(sc.score_col, d.descending, 'reached_at', 'region', r.rank_type) AS c
 ORDER BY 1, 2 DESC, 3;

-- The three numberings side by side on a small board, read by eye:
-- scores 50, 40, 40, 30 and a NULL
CREATE TABLE lb_small (player_id int, score int);
INSERT INTO lb_small VALUES (1, 40), (2, 50), (3, 30), (4, 40), (5, NULL);
SELECT gamestats.create_leaderboard('lb_competition', 'SELECT player_id, score FROM lb_small');
SELECT gamestats.create_leaderboard('lb_dense', 'SELECT player_id, score FROM lb_small', rank_type => 'dense');
SELECT gamestats.create_leaderboard('lb_ordinal', 'SELECT player_id, score FROM lb_small', rank_type => 'ordinal');
SELECT gamestats.create_leaderboard('lb_ascending', 'SELECT player_id, score FROM lb_small', descending => false);
SELECT c.player_id, c.score, c.rank AS competition, d.rank AS dense, o.rank AS ordinal, a.rank AS ascending
  FROM lb_competition c
  JOIN lb_dense d USING (player_id)
  JOIN lb_ordinal o USING (player_id)
  JOIN lb_ascending a USING (player_id)
 ORDER BY c.rank, c.player_id;
-- the NULL score is not on the board
SELECT count(*) AS players_on_board FROM lb_competition;

-- A tiebreak: first to reach the score wins
CREATE TABLE lb_race (player_id int, kills int, reached_at timestamptz);
INSERT INTO lb_race VALUES
    (1, 10, '2026-01-01 10:00+00'), (2, 10, '2026-01-01 09:00+00'),
    (3, 12, '2026-01-01 11:00+00'), (4, 10, '2026-01-01 09:00+00');
SELECT gamestats.create_leaderboard('lb_race_board', 'SELECT * FROM lb_race',
                                    score_column => 'kills', tiebreak_column => 'reached_at');
SELECT * FROM lb_race_board ORDER BY rank, player_id;

-- The board's columns: rank, player, score, tiebreak, segment, the others
CREATE TABLE lb_wide (nick text, region text, score int, player_id int, reached_at date);
SELECT gamestats.create_leaderboard('lb_wide_board', 'SELECT nick, region, score, player_id, reached_at FROM lb_wide',
                                    tiebreak_column => 'reached_at', segment_column => 'region');
SELECT attnum, attname, atttypid::regtype FROM pg_attribute
 WHERE attrelid = 'lb_wide_board'::regclass AND attnum > 0 ORDER BY attnum;
-- and its indexes, by key columns
SELECT indexrelid::regclass AS index, indisunique,
       ARRAY(SELECT a.attname FROM unnest(indkey) WITH ORDINALITY k(attnum, n)
               JOIN pg_attribute a ON a.attrelid = indrelid AND a.attnum = k.attnum
              ORDER BY k.n) AS keys
  FROM pg_index WHERE indrelid = 'lb_wide_board'::regclass ORDER BY 1::text;

SELECT gamestats.drop_leaderboard(b) FROM unnest(ARRAY['lb_competition', 'lb_dense', 'lb_ordinal',
       'lb_ascending', 'lb_race_board', 'lb_wide_board']::regclass[]) AS b;
SELECT count(*) AS boards_left FROM gamestats.leaderboards;
DROP TABLE lb_players, lb_small, lb_race, lb_wide;
DROP FUNCTION lb_check;
