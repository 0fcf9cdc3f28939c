-- Seasons of a live board: the first write after a season's end archives
-- its final standings and starts the table empty; rollover() does the same
-- when the scheduler runs first.  The write's own time (the statement's)
-- decides its season, however late the scheduler.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_gamestats;
RESET client_min_messages;

CREATE TABLE lsn_scores (player_id int PRIMARY KEY, score int NOT NULL,
                         reached_at timestamptz NOT NULL DEFAULT '2026-01-01');
INSERT INTO lsn_scores SELECT g, g % 7, '2026-01-01' FROM generate_series(1, 20) g;
SELECT gamestats.create_live_leaderboard('lsn_board', 'lsn_scores', tiebreak_column => 'reached_at');

-- seasons of a day, the current one started on 2026-01-01: long over
SELECT gamestats.set_season('lsn_board', '1 day', now => '2026-01-01 10:00+00');
SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = 'lsn_scores'::regclass AND tgname = 'gamestats_live_season';

-- the scheduler, late by three days: three seasons closed, one with standings
SELECT * FROM gamestats.rollover('lsn_board', now => '2026-01-04 01:00+00');
SELECT season_start, season_end, count(*), min(rank), max(rank), sum(score)
  FROM lsn_board_seasons GROUP BY 1, 2 ORDER BY 1;
SELECT count(*) AS rows_left, gamestats.board_size(NULL::lsn_board) AS live_size FROM lsn_scores;

-- the archive is the board's ranking at the boundary: same ranks as rank() then
SELECT count(*) AS wrong FROM (
  SELECT rank, player_id FROM lsn_board_seasons
  EXCEPT
  SELECT rank() OVER (ORDER BY g % 7 DESC, timestamptz '2026-01-01'), g FROM generate_series(1, 20) g) d;

-- writes now are long past the season of 2026-01-04: an UPDATE is refused,
-- an INSERT (or submit_score) rolls the empty season over first
UPDATE lsn_scores SET score = 1;
SELECT rank, player_id, score FROM gamestats.submit_score(NULL::lsn_board, 77, 40, at => '2026-02-01');
SELECT count(*) AS archived_rows FROM lsn_board_seasons;
INSERT INTO lsn_scores VALUES (78, 50, '2026-02-01');
SELECT rank, player_id, score FROM gamestats.top(NULL::lsn_board);
UPDATE lsn_scores SET score = score + 1 WHERE player_id = 77;
SELECT rank, player_id, score FROM gamestats.ranks(NULL::lsn_board, ARRAY[77, 78]);

-- a season that ends under a REPEATABLE READ writer: refused, not half-seen
UPDATE gamestats.leaderboard_season SET season_start = '2026-02-01'
 WHERE board = 'lsn_board'::regclass;  -- as if the scheduler had been down since
BEGIN ISOLATION LEVEL REPEATABLE READ;
INSERT INTO lsn_scores VALUES (79, 1, '2026-02-01');
ROLLBACK;
SELECT board, seasons_archived > 0 AS closed FROM gamestats.rollover('lsn_board');
SELECT count(*) AS rows_left FROM lsn_scores;

-- dropping the board takes the trigger with it
SELECT gamestats.drop_leaderboard('lsn_board');
SELECT count(*) FROM pg_trigger WHERE tgrelid = 'lsn_scores'::regclass AND NOT tgisinternal;
INSERT INTO lsn_scores VALUES (80, 1, '2026-02-01');
