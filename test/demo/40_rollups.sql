-- Rollups (issue 14): a daily kills rollup over the managed events table, a
-- weekly board over it, and daily active players from a rollup.  Run by
-- `make demo` after the partitions part (events).
\set ON_ERROR_STOP 1
SET client_min_messages = warning;

\echo
\echo 1. kills per player and UTC day, kept incrementally (rollup rows outlive the raw partitions)
SELECT gamestats.create_rollup('kills_daily', 'events', '1 day', '{player_id}',
    'count(*) AS kills, sum(value) AS points, max(value) AS best',
    filter => $$kind = 'kill'$$);
SELECT rollup, source, bucket, last_buckets AS buckets_filled, pending_buckets
  FROM gamestats.rollups;

\echo 2. a weekly board over the rollup: it reads players x days rows, not events
SELECT gamestats.create_leaderboard('weekly_kills_rollup',
    $q$SELECT player_id, sum(kills) AS kills FROM public.kills_daily
        WHERE bucket >= gamestats.bucket_start('1 day', now() - interval '6 days')
        GROUP BY player_id$q$,
    score_column => 'kills');
SELECT * FROM gamestats.top(NULL::weekly_kills_rollup, 5);

\echo 3. daily active players: one row per player and day, counted per day
SELECT gamestats.create_rollup('activity_daily', 'events', '1 day', '{player_id}', 'count(*) AS events');
SELECT to_char(bucket AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count(*) AS dau, sum(events) AS events
  FROM activity_daily GROUP BY bucket ORDER BY bucket DESC LIMIT 8;

\echo 4. new events: the next refresh aggregates only the buckets they touched
INSERT INTO events (player_id, kind, at, value)
SELECT 1 + i % 50, 'kill', now() - interval '1 minute', 1 FROM generate_series(1, 200) i;
SELECT rollup, pending_buckets FROM gamestats.rollups ORDER BY 1;
SELECT gamestats.refresh_rollup('kills_daily') AS buckets_refreshed;
