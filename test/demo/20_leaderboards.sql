-- Leaderboards (issue 4): three boards over the generated data, their
-- pg_cron schedules, and each board's top 10.  Run by `make demo` after the
-- data generator (players, matches) and the partitions part (events).
\set ON_ERROR_STOP 1
SET client_min_messages = warning;

-- The partitioned events table normally comes from the partitions part of
-- the demo; make a small one if it is not there.
SELECT to_regclass('events') IS NULL AS need_events \gset
\if :need_events
CREATE TABLE events (player_id bigint, kind text, at timestamptz, value integer) PARTITION BY RANGE (at);
CREATE TABLE events_default PARTITION OF events DEFAULT;
SELECT gen.events('events', :players, 8, :players * 2) AS events_generated;
\endif

\echo
\echo 1. weekly kills from the partitioned events: first to reach the count wins a tie
SELECT gamestats.create_leaderboard('weekly_kills',
    $q$SELECT player_id, count(*) AS kills, max(at) AS reached_at
         FROM public.events
        WHERE kind = 'kill' AND at >= now() - interval '7 days'
        GROUP BY player_id$q$,
    score_column => 'kills', tiebreak_column => 'reached_at');

\echo 2. all-time rating
SELECT gamestats.create_leaderboard('rating_board',
    'SELECT player_id, rating, name, platform FROM public.players',
    score_column => 'rating');

\echo 3. best match score per region (ranked within each region)
SELECT gamestats.create_leaderboard('region_best',
    $q$SELECT p.player_id, p.region, max(m.score) AS best_score, p.name
         FROM public.matches m JOIN public.players p USING (player_id)
        GROUP BY p.player_id, p.region, p.name$q$,
    score_column => 'best_score', segment_column => 'region', rank_type => 'dense');

\echo
\echo pg_cron refreshes them (swap strategy: readers never wait):
SELECT gamestats.schedule_refresh('weekly_kills', '*/5 * * * *') > 0 AS weekly_kills_scheduled,
       gamestats.schedule_refresh('rating_board', '0 * * * *') > 0 AS rating_board_scheduled,
       gamestats.schedule_refresh('region_best', '*/10 * * * *') > 0 AS region_best_scheduled;
SELECT board, rows, segments, schedule, last_strategy, round(last_refresh_ms::numeric, 1) AS last_refresh_ms
  FROM gamestats.leaderboards ORDER BY board::text;

\echo weekly kills, top 10
SELECT rank, player_id, kills, to_char(reached_at, 'YYYY-MM-DD HH24:MI:SS') AS reached_at
  FROM weekly_kills ORDER BY rank, player_id LIMIT 10;

\echo all-time rating, top 10
SELECT rank, player_id, rating, name, platform FROM rating_board ORDER BY rank, player_id LIMIT 10;

\echo best match score in region eu, top 10; players per region
SELECT rank, player_id, best_score, name FROM region_best WHERE region = 'eu' ORDER BY rank, player_id LIMIT 10;
SELECT segment AS region, rows AS players FROM gamestats.leaderboard_segment
 WHERE board = 'region_best'::regclass ORDER BY segment;

\echo
\echo scores move; a swap refresh switches the new ranking in
UPDATE public.players SET rating = 3500 WHERE player_id IN (7, 77, 777);
SELECT gamestats.refresh_leaderboard('rating_board') AS rows;
SELECT rank, player_id, rating, name FROM rating_board ORDER BY rank, player_id LIMIT 5;
