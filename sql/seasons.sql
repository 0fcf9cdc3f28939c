-- Seasons of a query board: set_season, rollover with now =>, missed
-- boundaries, UTC alignment under any TimeZone, archive retention, errors,
-- drop.  The board's query filters on the season window.
SET client_min_messages = warning;
SET TimeZone = 'UTC';
CREATE TABLE se_scores (player_id int, points int, ts timestamptz NOT NULL);
INSERT INTO se_scores VALUES
  (1, 10, '2026-03-02 01:00+00'), (2, 30, '2026-03-02 02:00+00'),
  (1, 25, '2026-03-02 23:59:59.999999+00'),
  (3,  5, '2026-03-03 00:00+00'),             -- the next day: not in March 2
  (2,  7, '2026-03-05 12:00+00');             -- March 5; March 3 has player 3 only, March 4 nothing
SELECT gamestats.create_leaderboard('se_daily',
  $$SELECT player_id, sum(points) AS score FROM se_scores
     WHERE ts >= gamestats.season_start() AND ts < gamestats.season_end()
     GROUP BY player_id$$);
-- outside a seasonal refresh the window is null: the board is empty
SELECT count(*) FROM se_daily;
SELECT gamestats.season_start() IS NULL AS no_window;
SELECT gamestats.set_season('se_daily', '1 day', now => '2026-03-02 13:00+00');
SELECT rank, player_id, score FROM se_daily ORDER BY rank, player_id;
SELECT board, season_period, season_start, last_season_start FROM gamestats.leaderboards
 WHERE season_period IS NOT NULL;
-- the archive: its columns and indexes, kept by the partition manager
SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
 WHERE attrelid = 'se_daily_seasons'::regclass AND attnum > 0 ORDER BY attnum;
SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = 'se_daily_seasons'::regclass ORDER BY 1;
SELECT parent, partition_interval, retention FROM gamestats.managed_tables
 WHERE parent::text LIKE 'se\_%';
-- nothing ended yet
SELECT * FROM gamestats.rollover(now => '2026-03-02 23:59:59+00');
-- three boundaries missed: March 2, 3 and 4 closed; March 4 was empty
SELECT * FROM gamestats.rollover('se_daily', now => '2026-03-05 00:30+00');
SELECT season_start, season_end, rank, player_id, score FROM se_daily_seasons ORDER BY 1, 3, 4;
SELECT board, season_period, season_start, last_season_start FROM gamestats.leaderboards
 WHERE season_period IS NOT NULL;
-- the board shows the new season
SELECT rank, player_id, score FROM se_daily ORDER BY rank;
-- idempotent
SELECT * FROM gamestats.rollover('se_daily', now => '2026-03-05 00:30+00');
SELECT count(*) FROM se_daily_seasons;
-- an ordinary refresh computes the current season
INSERT INTO se_scores VALUES (4, 100, '2026-03-05 13:00+00');
SELECT gamestats.refresh_leaderboard('se_daily');
SELECT rank, player_id, score FROM se_daily ORDER BY rank;
-- run_maintenance() rolls over too
SELECT parent, created, dropped, error FROM gamestats.run_maintenance(now => '2026-03-06 00:00:01+00')
 WHERE parent = 'se_daily_seasons'::regclass;
SELECT season_start, rank, player_id, score FROM se_daily_seasons
 WHERE season_start = '2026-03-05+00' ORDER BY rank;

-- "last week's top 10" and "my last 5 seasons", as the README writes them
SELECT rank, player_id, score FROM se_daily_seasons
 WHERE season_start = (SELECT max(season_start) FROM se_daily_seasons)
 ORDER BY rank LIMIT 10;
SELECT season_start, rank, score FROM se_daily_seasons
 WHERE player_id = 2 ORDER BY season_start DESC LIMIT 5;

-- a board whose query ignores the window: missed seasons get nothing invented
CREATE TABLE se_totals (player_id int, score int);
INSERT INTO se_totals VALUES (1, 5), (2, 9);
SELECT gamestats.create_leaderboard('se_alltime', 'SELECT player_id, score FROM se_totals');
SELECT gamestats.set_season('se_alltime', '1 hour', now => '2026-03-02 10:15+00');
SELECT * FROM gamestats.rollover('se_alltime', now => '2026-03-02 13:00+00');
SELECT season_start, season_end, rank, player_id, score FROM se_alltime_seasons ORDER BY 1, 3;

-- weeks start on Monday 00:00 UTC, whatever the session's time zone, across
-- the DST change of America/New_York (2026-03-08)
SET TimeZone = 'America/New_York';
CREATE TABLE se_wscores (player_id int, score int, ts timestamptz);
INSERT INTO se_wscores VALUES (1, 3, '2026-03-08 12:00+00'), (1, 4, '2026-03-10 12:00+00');
SELECT gamestats.create_leaderboard('se_weekly',
  $$SELECT player_id, sum(score)::int AS score FROM se_wscores
     WHERE ts >= gamestats.season_start() AND ts < gamestats.season_end() GROUP BY 1$$);
SELECT gamestats.set_season('se_weekly', '1 week', now => '2026-03-04 12:00+00');
SELECT season_start FROM gamestats.leaderboards WHERE board = 'se_weekly'::regclass;
SELECT * FROM gamestats.rollover('se_weekly', now => '2026-03-17 00:00+00');
SELECT season_start, season_end, season_end - season_start AS length, player_id, score
  FROM se_weekly_seasons ORDER BY 1;
SELECT season_start AT TIME ZONE 'UTC' AS utc_start FROM gamestats.leaderboards WHERE board = 'se_weekly'::regclass;
SET TimeZone = 'UTC';

-- months, with a retention of the archive that drops old seasons
CREATE TABLE se_mscores (player_id int, score int, ts timestamptz);
INSERT INTO se_mscores SELECT 1, m, timestamptz '2026-01-15+00' + (m - 1) * interval '1 month'
  FROM generate_series(1, 5) m;
SELECT gamestats.create_leaderboard('se_monthly',
  $$SELECT player_id, sum(score)::int AS score FROM se_mscores
     WHERE ts >= gamestats.season_start() AND ts < gamestats.season_end() GROUP BY 1$$);
SELECT gamestats.set_season('se_monthly', '1 month', '2 months', now => '2026-01-31 23:00+00');
SELECT * FROM gamestats.rollover('se_monthly', now => '2026-05-01 00:00+00');
SELECT season_start, season_end, score FROM se_monthly_seasons ORDER BY 1;
SELECT parent, dropped FROM gamestats.run_maintenance('se_monthly_seasons', now => '2026-05-02+00');
SELECT season_start, score FROM se_monthly_seasons ORDER BY 1;
SELECT range_from FROM gamestats.partition_bounds('se_monthly_seasons') WHERE NOT is_default ORDER BY 1 LIMIT 1;
-- set_season again with the same period sets archive_retention
SELECT gamestats.set_season('se_monthly', '1 month');
SELECT retention FROM gamestats.managed_tables WHERE parent = 'se_monthly_seasons'::regclass;

-- errors
SELECT gamestats.set_season('se_monthly', '1 day');
SELECT gamestats.set_season('se_scores', '1 day');
SELECT gamestats.set_season('se_daily', NULL);
CREATE TABLE se_x (player_id int, score int);
SELECT gamestats.create_leaderboard('se_x_board', 'SELECT player_id, score FROM se_x');
SELECT gamestats.set_season('se_x_board', '2 days');
SELECT gamestats.set_season('se_x_board', '24 hours');
SELECT gamestats.set_season('se_x_board', '1 year');
SELECT gamestats.set_season('se_x_board', '1 hour', '-1 day');
SELECT * FROM gamestats.rollover('se_x_board');
SELECT * FROM gamestats.rollover('se_daily', now => 'infinity');
SELECT * FROM gamestats.rollover('se_daily', now => NULL);
CREATE TABLE se_x_board2_seasons ();
SELECT gamestats.create_leaderboard('se_x_board2', 'SELECT player_id, score FROM se_x');
SELECT gamestats.set_season('se_x_board2', '1 hour');
-- a failed set_season leaves nothing
SELECT count(*) FROM gamestats.leaderboard_season WHERE board = 'se_x_board2'::regclass;

-- a live board has seasons too (sql/live_seasons.sql): set_season adds its trigger
CREATE TABLE se_live_src (player_id int PRIMARY KEY, score int);
SELECT gamestats.create_live_leaderboard('se_live_b', 'se_live_src');
SELECT gamestats.set_season('se_live_b', '1 day');
SELECT tgname FROM pg_trigger WHERE tgrelid = 'se_live_src'::regclass AND tgname = 'gamestats_live_season';
SELECT gamestats.drop_leaderboard('se_live_b');
-- drop_leaderboard forgets the seasons; the archive stays, still managed
SELECT gamestats.drop_leaderboard('se_daily');
SELECT count(*) FROM gamestats.leaderboard_season WHERE archive = 'se_daily_seasons'::regclass;
SELECT count(*) AS archived_rows FROM se_daily_seasons;
SELECT count(*) AS still_managed FROM gamestats.managed_tables WHERE parent = 'se_daily_seasons'::regclass;
-- DROP MATERIALIZED VIEW too
DROP MATERIALIZED VIEW se_alltime;
SELECT board FROM gamestats.leaderboard_season ORDER BY 1;
