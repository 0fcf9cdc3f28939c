-- Seasons (issue 13): a daily board of kills from the partitioned events,
-- with yesterday's season archived.  Run by `make demo` after the
-- leaderboards part.  now => stands for the clock: the board's first
-- season is yesterday (UTC), and the rollover closes it.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;

\echo
\echo 1. a daily board: kills of the season (UTC day) the refresh computes
SELECT gamestats.create_leaderboard('daily_kills',
    $q$SELECT player_id, count(*) AS kills, max(at) AS reached_at
         FROM public.events
        WHERE kind = 'kill'
          AND at >= gamestats.season_start() AND at < gamestats.season_end()
        GROUP BY player_id$q$,
    score_column => 'kills', tiebreak_column => 'reached_at');
SELECT gamestats.set_season('daily_kills', '1 day', archive_retention => '30 days',
                            now => now() - interval '1 day');

\echo 2. the rollover (run_maintenance and its pg_cron job call it) archives yesterday
SELECT * FROM gamestats.rollover('daily_kills');
SELECT board, season_period, season_start, last_season_start, rows
  FROM gamestats.leaderboards WHERE board = 'daily_kills'::regclass;

\echo 3. the top 10 of yesterday, from the archive
SELECT rank, player_id, kills, reached_at FROM daily_kills_seasons
 WHERE season_start = (SELECT last_season_start FROM gamestats.leaderboards
                        WHERE board = 'daily_kills'::regclass)
 ORDER BY rank LIMIT 10;

\echo 4. today so far, on the board
SELECT rank, player_id, kills FROM gamestats.top(NULL::daily_kills, 5);
