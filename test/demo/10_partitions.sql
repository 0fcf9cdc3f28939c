-- Partitions: a daily-partitioned events table with 30-day retention,
-- managed and maintained by pg_gamestats, with maintenance scheduled in
-- pg_cron.
\echo
\echo Time-range partitions: events by day, kept 30 days, 2 days premade
CREATE TABLE events (
    player_id bigint      NOT NULL,
    kind      text        NOT NULL,
    at        timestamptz NOT NULL,
    value     integer     NOT NULL
) PARTITION BY RANGE (at);
CREATE INDEX ON events (player_id, at);

-- set up as if 10 days ago (that day and 2 days ahead), and maintenance
-- never ran since
SELECT gamestats.manage_partitions('events', '1 day', retention => '30 days', premake => 2,
                                   now => now() - interval '10 days') AS partitions_made;

\echo load 40 days of events: rows of days without a partition land in the
\echo default partition
SELECT gen.events('events', :players, 40, 5000) AS events_loaded;
SELECT count(*) AS rows_in_default FROM ONLY events_default;

\echo maintenance catches up: makes the days of the last 30 that hold rows,
\echo today and 2 days ahead, and moves the rows out of the default partition;
\echo rows older than the 30-day retention stay there, counted in default_rows
SELECT * FROM gamestats.run_maintenance();

\echo schedule it every 10 minutes with pg_cron
SELECT gamestats.schedule_maintenance('*/10 * * * *') AS maintenance_job;
SELECT jobname, schedule, command FROM cron.job WHERE jobname LIKE 'gamestats-maintenance%';

ANALYZE events;
\echo gamestats.managed_tables
\x on
SELECT * FROM gamestats.managed_tables;
\x off
\echo gamestats.partitions
SELECT partition, range_from, range_to, is_default,
       pg_size_pretty(total_bytes) AS size, est_rows
  FROM gamestats.partitions
 WHERE parent = 'events'::regclass
 ORDER BY range_from NULLS FIRST;
