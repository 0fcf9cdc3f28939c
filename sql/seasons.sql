-- Seasons of a query board: set_season, rollover with now =>, missed
-- boundaries, UTC alignment under any TimeZone, archive retention, errors,
-- drop.  The board's query filters on the season window.
SET client_min_messages = warning;
SET TimeZone = 'UTC';
CREATE TABLE scores (player_id int, points int, ts timestamptz NOT NULL);
INSERT INTO scores VALUES
  (1, 10, '2026-03-02 01:00+00'), (2, 30, '2026-03-02 02:00+00'),
  (1, 25, '2026-03-02 23:59:59.999999+00'),
  (3,  5, '2026-03-03 00:00+00'),             -- the next day: not in March 2
  (2,  7, '2026-03-05 12:00+00');             -- March 5; March 3 has player 3 only, March 4 nothing
SELECT gamestats.create_leaderboard('daily',
  $$SELECT player_id, sum(points) AS score FROM scores
     WHERE ts >= gamestats.season_start() AND ts < gamestats.season_end()
     GROUP BY player_id$$);
-- outside a seasonal refresh the window is null: the board is empty
SELECT count(*) FROM daily;
SELECT gamestats.season_start() IS NULL AS no_window;
SELECT gamestats.set_season('daily', '1 day', now => '2026-03-02 13:00+00');
SELECT rank, player_id, score FROM daily ORDER BY rank, player_id;
SELECT board, season_period, season_start, last_season_start FROM gamestats.leaderboards;
-- the archive: its columns and indexes, kept by the partition manager
SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
 WHERE attrelid = 'daily_seasons'::regclass AND attnum > 0 ORDER BY attnum;
SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = 'daily_seasons'::regclass ORDER BY 1;
SELECT parent, partition_interval, retention FROM gamestats.managed_tables;
-- nothing ended yet
SELECT * FROM gamestats.rollover(now => '2026-03-02 23:59:59+00');
-- three boundaries missed: March 2, 3 and 4 closed; March 4 was empty
SELECT * FROM gamestats.rollover('daily', now => '2026-03-05 00:30+00');
SELECT season_start, season_end, rank, player_id, score FROM daily_seasons ORDER BY 1, 3, 4;
SELECT board, season_period, season_start, last_season_start FROM gamestats.leaderboards;
-- the board shows the new season
SELECT rank, player_id, score FROM daily ORDER BY rank;
-- idempotent
SELECT * FROM gamestats.rollover('daily', now => '2026-03-05 00:30+00');
SELECT count(*) FROM daily_seasons;
-- an ordinary refresh computes the current season
INSERT INTO scores VALUES (4, 100, '2026-03-05 13:00+00');
SELECT gamestats.refresh_leaderboard('daily');
SELECT rank, player_id, score FROM daily ORDER BY rank;
-- run_maintenance() rolls over too
SELECT parent, created, dropped, error FROM gamestats.run_maintenance(now => '2026-03-06 00:00:01+00')
 WHERE parent = 'daily_seasons'::regclass;
SELECT season_start, rank, player_id, score FROM daily_seasons
 WHERE season_start = '2026-03-05+00' ORDER BY rank;

-- "last week's top 10" and "my last 5 seasons", as the README writes them
SELECT rank, player_id, score FROM daily_seasons
 WHERE season_start = (SELECT max(season_start) FROM daily_seasons)
 ORDER BY rank LIMIT 10;
SELECT season_start, rank, score FROM daily_seasons
 WHERE player_id = 2 ORDER BY season_start DESC LIMIT 5;

-- a board whose query ignores the window: missed seasons get nothing invented
CREATE TABLE totals (player_id int, score int);
INSERT INTO totals VALUES (1, 5), (2, 9);
SELECT gamestats.create_leaderboard('alltime', 'SELECT player_id, score FROM totals');
SELECT gamestats.set_season('alltime', '1 hour', now => '2026-03-02 10:15+00');
SELECT * FROM gamestats.rollover('alltime', now => '2026-03-02 13:00+00');
SELECT season_start, season_end, rank, player_id, score FROM alltime_seasons ORDER BY 1, 3;

-- weeks start on Monday 00:00 UTC, whatever the session's time zone, across
-- the DST change of America/New_York (2026-03-08)
SET TimeZone = 'America/New_York';
CREATE TABLE wscores (player_id int, score int, ts timestamptz);
INSERT INTO wscores VALUES (1, 3, '2026-03-08 12:00+00'), (1, 4, '2026-03-10 12:00+00');
SELECT gamestats.create_leaderboard('weekly',
  $$SELECT player_id, sum(score)::int AS score FROM wscores
     WHERE ts >= gamestats.season_start() AND ts < gamestats.season_end() GROUP BY 1$$);
SELECT gamestats.set_season('weekly', '1 week', now => '2026-03-04 12:00+00');
SELECT season_start FROM gamestats.leaderboards WHERE board = 'weekly'::regclass;
SELECT * FROM gamestats.rollover('weekly', now => '2026-03-17 00:00+00');
SELECT season_start, season_end, season_end - season_start AS length, player_id, score
  FROM weekly_seasons ORDER BY 1;
SELECT season_start AT TIME ZONE 'UTC' AS utc_start FROM gamestats.leaderboards WHERE board = 'weekly'::regclass;
SET TimeZone = 'UTC';

-- months, with a retention of the archive that drops old seasons
CREATE TABLE mscores (player_id int, score int, ts timestamptz);
INSERT INTO mscores SELECT 1, m, timestamptz '2026-01-15+00' + (m - 1) * interval '1 month'
  FROM generate_series(1, 5) m;
SELECT gamestats.create_leaderboard('monthly',
  $$SELECT player_id, sum(score)::int AS score FROM mscores
     WHERE ts >= gamestats.season_start() AND ts < gamestats.season_end() GROUP BY 1$$);
SELECT gamestats.set_season('monthly', '1 month', '2 months', now => '2026-01-31 23:00+00');
SELECT * FROM gamestats.rollover('monthly', now => '2026-05-01 00:00+00');
SELECT season_start, season_end, score FROM monthly_seasons ORDER BY 1;
SELECT parent, dropped FROM gamestats.run_maintenance('monthly_seasons', now => '2026-05-02+00');
SELECT season_start, score FROM monthly_seasons ORDER BY 1;
SELECT range_from FROM gamestats.partition_bounds('monthly_seasons') WHERE NOT is_default ORDER BY 1 LIMIT 1;
-- set_season again with the same period sets archive_retention
SELECT gamestats.set_season('monthly', '1 month');
SELECT retention FROM gamestats.managed_tables WHERE parent = 'monthly_seasons'::regclass;

-- errors
SELECT gamestats.set_season('monthly', '1 day');
SELECT gamestats.set_season('scores', '1 day');
SELECT gamestats.set_season('daily', NULL);
CREATE TABLE x (player_id int, score int);
SELECT gamestats.create_leaderboard('x_board', 'SELECT player_id, score FROM x');
SELECT gamestats.set_season('x_board', '2 days');
SELECT gamestats.set_season('x_board', '24 hours');
SELECT gamestats.set_season('x_board', '1 year');
SELECT gamestats.set_season('x_board', '1 hour', '-1 day');
SELECT * FROM gamestats.rollover('x_board');
SELECT * FROM gamestats.rollover('daily', now => 'infinity');
SELECT * FROM gamestats.rollover('daily', now => NULL);
CREATE TABLE x_board2_seasons ();
SELECT gamestats.create_leaderboard('x_board2', 'SELECT player_id, score FROM x');
SELECT gamestats.set_season('x_board2', '1 hour');
-- a failed set_season leaves nothing
SELECT count(*) FROM gamestats.leaderboard_season WHERE board = 'x_board2'::regclass;

-- a live board cannot have seasons yet
CREATE TABLE live_src (player_id int PRIMARY KEY, score int);
SELECT gamestats.create_live_leaderboard('live_b', 'live_src');
SELECT gamestats.set_season('live_b', '1 day');
SELECT gamestats.drop_leaderboard('live_b');
-- drop_leaderboard forgets the seasons; the archive stays, still managed
SELECT gamestats.drop_leaderboard('daily');
SELECT count(*) FROM gamestats.leaderboard_season WHERE archive = 'daily_seasons'::regclass;
SELECT count(*) AS archived_rows FROM daily_seasons;
SELECT count(*) AS still_managed FROM gamestats.managed_tables WHERE parent = 'daily_seasons'::regclass;
-- DROP MATERIALIZED VIEW too
DROP MATERIALIZED VIEW alltime;
SELECT board FROM gamestats.leaderboard_season ORDER BY 1;
