-- Rollups: per-bucket aggregates kept incrementally.  Exactness: after a
-- refresh the rollup equals the aggregate over the source for every bucket
-- whose raw rows exist (EXCEPT both ways and exact listings); default
-- partition rows, late rows, updates and deletes; retention keeps rollup
-- rows; every error.
CREATE SCHEMA ru;
SET search_path = ru, public;
SET TimeZone = 'UTC';

CREATE TABLE ev (at timestamptz NOT NULL, player_id int, kind text, value int)
    PARTITION BY RANGE (at);
SELECT gamestats.manage_partitions('ev', '1 day', premake => 0,
                                   start_time => '2024-05-01', now => '2024-05-03 12:00+00');
INSERT INTO ev VALUES
  ('2024-05-01 01:00+00', 1, 'kill', 10), ('2024-05-01 02:00+00', 1, 'kill', 20),
  ('2024-05-01 03:00+00', 2, 'kill', 5),  ('2024-05-01 04:00+00', 2, 'death', 7),
  ('2024-05-02 01:00+00', 1, 'kill', NULL), ('2024-05-03 01:00+00', 3, 'kill', 1),
  ('2024-06-01 00:00+00', 3, 'kill', 100);   -- beyond the partitions: default
SELECT gamestats.create_rollup('kills_daily', 'ev', '1 day', '{player_id}',
    'count(*) AS kills, count(value) AS valued, sum(value) AS total, min(value) AS low, max(value) AS best, avg(value) AS mean',
    filter => $$kind = 'kill'$$);
\d kills_daily
SELECT * FROM kills_daily ORDER BY bucket, player_id;

-- what the rollup must equal, bucket by bucket
CREATE VIEW truth AS
SELECT gamestats.bucket_start('1 day', at) AS bucket, player_id,
       count(*) AS kills, count(value) AS valued, sum(value) AS total, min(value) AS low,
       max(value) AS best, sum(value) AS mean_sum, count(value) AS mean_count
  FROM ev WHERE kind = 'kill' GROUP BY 1, 2;
CREATE VIEW diff AS
SELECT 'missing' AS side, * FROM (TABLE truth EXCEPT TABLE kills_daily) a
UNION ALL
SELECT 'extra', * FROM (TABLE kills_daily EXCEPT TABLE truth) b;
SELECT * FROM diff;

-- writes: new, late (an old bucket), default partition, update, delete
INSERT INTO ev VALUES ('2024-05-02 05:00+00', 2, 'kill', 3), ('2024-04-01 00:00+00', 9, 'kill', 4);
UPDATE ev SET value = 50 WHERE player_id = 1 AND at = '2024-05-01 01:00+00';
UPDATE ev SET at = '2024-05-03 02:00+00' WHERE player_id = 3 AND at = '2024-05-03 01:00+00';
DELETE FROM ev WHERE player_id = 2 AND at = '2024-05-01 03:00+00';
UPDATE ev SET kind = 'kill' WHERE kind = 'death';
SELECT bucket, pending_buckets > 0 AS pending FROM gamestats.rollups;
SELECT count(*) AS not_yet FROM diff;
SELECT gamestats.refresh_rollup('kills_daily') >= 4 AS refreshed;
SELECT * FROM diff;
SELECT * FROM kills_daily ORDER BY bucket, player_id;
SELECT pending_buckets, last_error, last_refresh_at IS NOT NULL AS refreshed FROM gamestats.rollups;
-- nothing written: only the open bucket
SELECT gamestats.refresh_rollup('kills_daily');
-- reading an average across buckets: sum of sums over sum of counts
SELECT player_id, sum(mean_sum)::numeric / nullif(sum(mean_count), 0) AS mean
  FROM kills_daily GROUP BY player_id ORDER BY player_id;

-- a leaderboard over a rollup is a board like any other
SELECT gamestats.create_leaderboard('kills_board',
    'SELECT player_id, sum(kills) AS score FROM ru.kills_daily GROUP BY player_id');
SELECT * FROM kills_board ORDER BY rank, player_id;
SELECT gamestats.drop_leaderboard('kills_board');

-- TRUNCATE of the source and retention keep rollup rows
INSERT INTO ev VALUES ('2024-05-01 05:00+00', 4, 'kill', 8);
SELECT gamestats.alter_partitions('ev', retention => '1 day');
SELECT parent, dropped, error FROM gamestats.run_maintenance('ev', now => '2024-05-03 12:00+00');
SELECT partition FROM gamestats.partitions WHERE parent = 'ev'::regclass ORDER BY range_from NULLS FIRST;
-- the bucket of 2024-05-01 was refreshed before its partition went, and stays
SELECT * FROM kills_daily WHERE bucket = '2024-05-01' ORDER BY player_id;
-- a late row into a dropped day lands in the default partition; the day keeps its values
INSERT INTO ev VALUES ('2024-05-01 06:00+00', 4, 'kill', 1);
SELECT gamestats.refresh_rollup('kills_daily') > 0 AS refreshed;
SELECT * FROM kills_daily WHERE bucket = '2024-05-01' ORDER BY player_id;
TRUNCATE ev;
SELECT gamestats.refresh_rollup('kills_daily') > 0 AS refreshed;
SELECT count(*) AS rollup_rows FROM kills_daily;

-- a rollup with no group-by: one row per bucket; timestamp keys read as UTC
CREATE TABLE sess (at timestamp NOT NULL, player_id int) PARTITION BY RANGE (at);
SELECT gamestats.manage_partitions('sess', '1 day', premake => 0,
                                   start_time => '2024-05-01', now => '2024-05-03 12:00+00');
INSERT INTO sess SELECT '2024-05-01'::timestamp + i * interval '5 hours', i % 3 FROM generate_series(0, 20) i;
SELECT gamestats.create_rollup('ru.dau', 'sess', '1 day', '{}', 'count(*) AS sessions');
SELECT * FROM dau ORDER BY bucket;
SELECT (SELECT count(*) FROM (SELECT gamestats.bucket_start('1 day', at), count(*) FROM sess GROUP BY 1
        EXCEPT SELECT bucket, sessions FROM dau) x) AS diff;
-- rollup retention deletes rollup rows older than now - retention at each
-- refresh: the 2024 buckets go at once, a row of today stays
SELECT gamestats.create_rollup('recent', 'sess', '1 day', '{}', 'count(*) AS n', retention => '3 days');
SELECT count(*) AS old_buckets FROM recent;
INSERT INTO sess VALUES (now() AT TIME ZONE 'UTC', 1);
SELECT gamestats.refresh_rollup('recent');
SELECT bucket = gamestats.bucket_start('1 day', now()) AS today, n FROM recent;
SELECT gamestats.drop_rollup('recent');
SELECT gamestats.bucket_start('1 week', '2024-05-01 13:00+00'::timestamptz) AS monday,
       gamestats.bucket_start('1 hour', 1714567200000::bigint, 'milliseconds') AS epoch_ms,
       gamestats.bucket_start('1 month', '2024-05-17'::date) AS month;


-- errors
SELECT gamestats.create_rollup('x', 'ev', '1 day', '{player_id}', 'count(DISTINCT player_id) AS players');
SELECT gamestats.create_rollup('x', 'ev', '1 day', '{player_id}', 'stddev(value) AS sd');
SELECT gamestats.create_rollup('x', 'ev', '1 day', '{player_id}', 'value AS v');
SELECT gamestats.create_rollup('x', 'ev', '1 day', '{player_id}', 'sum(value)');
SELECT gamestats.create_rollup('x', 'ev', '1 day', '{player_id}', 'sum(nosuch) AS s');
SELECT gamestats.create_rollup('x', 'ev', '1 day', '{nosuch}', 'count(*) AS n');
SELECT gamestats.create_rollup('x', 'ev', '1 day', '{player_id,player_id}', 'count(*) AS n');
SELECT gamestats.create_rollup('x', 'ev', '1 day', '{player_id}', 'count(*) AS bucket');
SELECT gamestats.create_rollup('x', 'ev', '1 day', '{player_id}', 'count(*) AS n, sum(value) AS n');
SELECT gamestats.create_rollup('x', 'ev', '1 day', '{player_id}', 'avg(value) AS m, count(*) AS m_sum');
SELECT gamestats.create_rollup('x', 'ev', '1 day', '{player_id}', 'count(*) AS n FROM ev');
SELECT gamestats.create_rollup('x', 'ev', '1 day', '{player_id}', 'sum(value) AS s', filter => 'true; DROP TABLE ev');
SELECT gamestats.create_rollup('x', 'ev', '1 day', '{player_id}', 'sum(value) AS s', filter => 'at > now()');
SELECT gamestats.create_rollup('x', 'ev', '1 day', '{player_id}', 'sum(value) AS s', filter => 'value');
SELECT gamestats.create_rollup('x', 'ev', '1 day', '{player_id}', 'sum(value) AS s', filter => 'nosuch = 1');
SELECT gamestats.create_rollup('x', 'ev', '1 day', '{player_id}', 'sum(random()) AS s');
SELECT gamestats.create_rollup('x', 'ev', '1 day', '{player_id}', 'sum((SELECT 1)) AS s');
SELECT gamestats.create_rollup('x', 'ev', '1 day', '{player_id}', 'sum(sum(value)) AS s');
SELECT gamestats.create_rollup('x', 'ev', '1 day', '{NULL}', 'count(*) AS n');
SELECT gamestats.create_rollup('x', 'ev', '7 minutes', '{player_id}', 'count(*) AS n');
SELECT gamestats.create_rollup('x', 'ev', NULL, '{player_id}', 'count(*) AS n');
SELECT gamestats.create_rollup('kills_daily', 'ev', '1 day', '{player_id}', 'count(*) AS n');
CREATE TABLE plain (at timestamptz);
SELECT gamestats.create_rollup('x', 'plain', '1 day', '{}', 'count(*) AS n');
SELECT gamestats.refresh_rollup('plain');
SELECT gamestats.drop_rollup('plain');
CREATE ROLE ru_other;
GRANT USAGE ON SCHEMA ru TO ru_other;
SET ROLE ru_other;
SELECT gamestats.refresh_rollup('ru.kills_daily');
SELECT gamestats.create_rollup('public.x', 'ru.ev', '1 day', '{}', 'count(*) AS n');
-- the view hides nothing but errors; there are none
SELECT rollup, source, bucket, group_by, filter, retention, last_error FROM gamestats.rollups ORDER BY 1;
RESET ROLE;
SELECT count(*) AS no_x FROM pg_class WHERE relname = 'x';

-- drop: with the function, or directly (the event trigger forgets it)
SELECT gamestats.drop_rollup('dau');
SELECT tgname FROM pg_trigger WHERE tgrelid = 'sess'::regclass ORDER BY 1;
DROP TABLE kills_daily CASCADE;
SELECT count(*) AS configs FROM gamestats.rollup_config;
SELECT count(*) AS pending FROM gamestats.rollup_pending;
DROP SCHEMA ru CASCADE;
DROP ROLE ru_other;
