-- Partition manager: creation, names, key types, intervals, UTC alignment,
-- default-partition rows, catch-up, retention.  "now" is fixed through the
-- now argument so that the output does not depend on the day of the run.
CREATE SCHEMA part;
SET search_path = part, public;
-- boundaries are UTC whatever the session's time zone
SET TimeZone = 'America/New_York';

CREATE TABLE events (id bigint, at timestamptz NOT NULL, kind text,
                     PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
SELECT gamestats.manage_partitions('events', '1 day', retention => '3 days',
                                   premake => 2, start_time => '2024-03-08 12:00+00',
                                   now => '2024-03-10 12:00+00');
SELECT partition, to_char(range_from AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS utc_from,
       to_char(range_to AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS utc_to, is_default
  FROM gamestats.partitions WHERE parent = 'events'::regclass
 ORDER BY range_from NULLS FIRST;
SELECT parent, partition_interval, retention, premake, last_run, last_error,
       default_rows, retention_mode, control_column, key_type, epoch, default_partition
  FROM gamestats.managed_tables;
-- the bound is written with an explicit UTC offset
SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE relname = 'events_p20240310';
-- the temporary CHECK constraint used to skip the attach scan is gone
SELECT count(*) AS leftover_checks FROM pg_constraint
 WHERE conname = 'gamestats_bound' AND conrelid::regclass::text LIKE 'events%';

-- rows: inside the window (a gap day), outside it (too old, absurd), NULL-free
INSERT INTO events VALUES
  (1, '2024-03-05 10:00+00', 'too old'),
  (2, '2024-03-13 01:00+00', 'tomorrow, premade by now'),
  (3, '2097-01-01 00:00+00', 'absurd'),
  (4, '2024-03-10 13:00+00', 'today');
SELECT tableoid::regclass AS part, id, kind FROM events ORDER BY id;
-- two days later: 03-13 and 03-14 are made, 03-08 falls out of retention
SELECT * FROM gamestats.run_maintenance('events', now => '2024-03-12 12:00+00');
SELECT partition FROM gamestats.partitions WHERE parent = 'events'::regclass ORDER BY range_from NULLS FIRST;
SELECT tableoid::regclass AS part, id, kind FROM events ORDER BY id;
SELECT default_rows, last_error, last_run IS NOT NULL AS ran, last_duration >= '0'::interval AS timed
  FROM gamestats.managed_tables WHERE parent = 'events'::regclass;
-- a second run at the same time changes nothing
SELECT * FROM gamestats.run_maintenance('events', now => '2024-03-12 12:00+00');

-- rows for a day with no partition land in the default; maintenance makes
-- the partition and moves them (the window reaches back 3 days)
ALTER TABLE events DETACH PARTITION events_p20240310;
ALTER TABLE events_p20240310 RENAME TO events_old_0310;
INSERT INTO events VALUES (5, '2024-03-10 23:59:59.999999+00', 'late a'),
                          (6, '2024-03-10 00:00+00', 'late b'),
                          (7, '2024-03-10 05:00+00', 'late c');
SELECT tableoid::regclass AS part, id FROM events WHERE id >= 5 ORDER BY id;
SELECT * FROM gamestats.run_maintenance('events', now => '2024-03-12 12:00+00');
SELECT tableoid::regclass AS part, id FROM events ORDER BY id;
SELECT default_rows FROM gamestats.managed_tables WHERE parent = 'events'::regclass;

-- catch-up after a week of downtime: only today and premake ahead are made
-- (the days in between hold no rows), retention drops what is too old, the
-- old rows in the default stay there
SELECT * FROM gamestats.run_maintenance('events', now => '2024-03-20 12:00+00');
SELECT partition FROM gamestats.partitions WHERE parent = 'events'::regclass ORDER BY range_from NULLS FIRST;
SELECT tableoid::regclass AS part, id FROM events ORDER BY id;
-- the runway is positive right after a run with the real clock
SELECT * FROM gamestats.run_maintenance('events') WHERE error IS NOT NULL;
SELECT runway > '1 day'::interval AS has_runway FROM gamestats.managed_tables
 WHERE parent = 'events'::regclass;
SELECT gamestats.unmanage_partitions('events');
DROP TABLE events, events_old_0310;

-- DST: hourly partitions across the New York spring-forward and fall-back
-- nights are one hour each and contiguous, in UTC
CREATE TABLE spring (at timestamptz NOT NULL) PARTITION BY RANGE (at);
SELECT gamestats.manage_partitions('spring', '1 hour', premake => 3,
                                   start_time => '2024-03-10 05:00+00',
                                   now => '2024-03-10 06:30+00');
CREATE TABLE fall (at timestamptz NOT NULL) PARTITION BY RANGE (at);
SELECT gamestats.manage_partitions('fall', '1 hour', premake => 0,
                                   start_time => '2024-11-03 04:00+00',
                                   now => '2024-11-03 04:30+00');
SELECT created FROM gamestats.run_maintenance('fall', now => '2024-11-03 05:30+00');
SELECT created FROM gamestats.run_maintenance('fall', now => '2024-11-03 06:30+00');
SELECT created FROM gamestats.run_maintenance('fall', now => '2024-11-03 07:30+00');
SELECT parent, partition, range_from AS local_from, range_to - range_from AS width,
       range_from = lag(range_to) OVER (PARTITION BY parent ORDER BY range_from) AS contiguous
  FROM gamestats.partitions WHERE parent IN ('spring'::regclass, 'fall'::regclass) AND NOT is_default
 ORDER BY parent::text DESC, range_from;
-- a row at the repeated 01:30 local hour lands in the right UTC hour
INSERT INTO fall VALUES ('2024-11-03 01:30-04'), ('2024-11-03 01:30-05');
SELECT tableoid::regclass, at FROM fall ORDER BY at;
DROP TABLE spring, fall;
RESET TimeZone;

-- intervals and names: 15 minutes, 1 week (Monday), 1 month, 3 months, 1 year
CREATE TABLE q15 (at timestamptz) PARTITION BY RANGE (at);
SELECT gamestats.manage_partitions('q15', '15 minutes', premake => 3, default_partition => false,
                                   now => '2024-02-29 23:40+00');
CREATE TABLE wk (at timestamptz) PARTITION BY RANGE (at);
SELECT gamestats.manage_partitions('wk', '1 week', premake => 1, default_partition => false,
                                   now => '2024-01-03 12:00+00');
CREATE TABLE mo (at timestamptz) PARTITION BY RANGE (at);
SELECT gamestats.manage_partitions('mo', '1 month', premake => 2, default_partition => false,
                                   now => '2024-11-15 00:00+00');
CREATE TABLE qu (at timestamptz) PARTITION BY RANGE (at);
SELECT gamestats.manage_partitions('qu', '3 months', premake => 2, default_partition => false,
                                   now => '2024-08-15 00:00+00');
CREATE TABLE yr (at timestamptz) PARTITION BY RANGE (at);
SELECT gamestats.manage_partitions('yr', '1 year', premake => 1, default_partition => false,
                                   now => '2024-08-15 00:00+00');
CREATE TABLE h6 (at timestamptz) PARTITION BY RANGE (at);
SELECT gamestats.manage_partitions('h6', '6 hours', premake => 1, default_partition => false,
                                   now => '2024-08-15 13:00+00');
SET TimeZone = 'UTC';
SELECT parent, partition, range_from, range_to
  FROM gamestats.partitions
 WHERE parent IN ('q15'::regclass, 'wk'::regclass, 'mo'::regclass, 'qu'::regclass,
                  'yr'::regclass, 'h6'::regclass)
 ORDER BY parent::text, range_from;
SELECT to_char(range_from, 'Dy') AS week_starts FROM gamestats.partitions
 WHERE parent = 'wk'::regclass;
DROP TABLE q15, wk, mo, qu, yr, h6;  -- the event trigger forgets them
SELECT count(*) AS still_managed FROM gamestats.partition_config;

-- key types: timestamp (read as UTC wall clock), date, bigint epochs
CREATE TABLE ts_plain (at timestamp NOT NULL) PARTITION BY RANGE (at);
SELECT gamestats.manage_partitions('ts_plain', '1 day', premake => 1, now => '2024-05-01 10:00+00');
CREATE TABLE d (day date NOT NULL) PARTITION BY RANGE (day);
SELECT gamestats.manage_partitions('d', '1 month', premake => 1, now => '2024-05-01 10:00+00');
CREATE TABLE es (at bigint NOT NULL) PARTITION BY RANGE (at);
SELECT gamestats.manage_partitions('es', '1 hour', premake => 1, epoch => 'seconds',
                                   now => '2024-05-01 10:00+00');
CREATE TABLE ems (at bigint NOT NULL) PARTITION BY RANGE (at);
SELECT gamestats.manage_partitions('ems', '1 day', premake => 1, epoch => 'milliseconds',
                                   now => '2024-05-01 10:00+00');
SELECT c.relname, pg_get_expr(c.relpartbound, c.oid)
  FROM pg_class c JOIN pg_inherits i ON i.inhrelid = c.oid
 WHERE i.inhparent IN ('ts_plain'::regclass, 'd'::regclass, 'es'::regclass, 'ems'::regclass)
 ORDER BY c.relname;
SELECT parent, partition, range_from, range_to FROM gamestats.partitions
 WHERE parent = 'ems'::regclass ORDER BY range_from NULLS FIRST;
-- default rows of bigint keys are moved like any other
INSERT INTO ems VALUES (extract(epoch FROM timestamptz '2024-05-03 08:00+00')::bigint * 1000);
INSERT INTO es VALUES (extract(epoch FROM timestamptz '2024-05-01 12:30+00')::bigint);
SELECT * FROM gamestats.run_maintenance('ems', now => '2024-05-02 10:00+00');
SELECT * FROM gamestats.run_maintenance('es', now => '2024-05-01 11:10+00');
SELECT tableoid::regclass, at FROM ems UNION ALL SELECT tableoid::regclass, at FROM es;
DROP TABLE ts_plain, d, es, ems;

-- a long multibyte parent name: partition names are clipped by whole
-- characters to fit in 63 bytes
CREATE TABLE "événements_de_jeu_très_longs_pour_tester_les_noms_ééé" (at timestamptz)
  PARTITION BY RANGE (at);
SELECT gamestats.manage_partitions('"événements_de_jeu_très_longs_pour_tester_les_noms_ééé"',
                                   '15 minutes', premake => 0, now => '2024-05-01 10:00+00');
SELECT c.relname, octet_length(c.relname) AS bytes
  FROM gamestats.partitions p JOIN pg_class c ON c.oid = p.partition ORDER BY 1;
DROP TABLE "événements_de_jeu_très_longs_pour_tester_les_noms_ééé";

-- retention: drop vs detach, never the default, only whole ranges
CREATE TABLE r_drop (at timestamptz NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE r_detach (at timestamptz NOT NULL) PARTITION BY RANGE (at);
SELECT gamestats.manage_partitions('r_drop', '1 day', retention => '2 days', premake => 0,
                                   start_time => '2024-06-01', now => '2024-06-05 06:00+00');
SELECT gamestats.manage_partitions('r_detach', '1 day', retention => '2 days', premake => 0,
                                   retention_mode => 'detach',
                                   start_time => '2024-06-01', now => '2024-06-05 06:00+00');
SELECT parent, partition FROM gamestats.partitions
 WHERE parent IN ('r_drop'::regclass, 'r_detach'::regclass) ORDER BY parent::text, partition::text;
INSERT INTO r_drop VALUES ('2024-05-01'), ('2024-06-05 07:00');
-- cutoff 2024-06-05 00:00: 06-04 ends exactly at it and goes, 06-05 stays
SELECT * FROM gamestats.run_maintenance('r_drop', now => '2024-06-07 00:00+00');
SELECT * FROM gamestats.run_maintenance('r_detach', now => '2024-06-07 00:00+00');
SELECT parent, partition FROM gamestats.partitions
 WHERE parent IN ('r_drop'::regclass, 'r_detach'::regclass) ORDER BY parent::text, partition::text;
-- the detached tables stay as plain tables
SELECT relname, relkind, relispartition FROM pg_class
 WHERE relname LIKE 'r\_detach\_p%' OR relname LIKE 'r\_drop\_p%' ORDER BY 1;
SELECT tableoid::regclass, at FROM r_drop ORDER BY at;

-- alter: longer retention, more premake, then keep forever
SELECT gamestats.alter_partitions('r_drop', retention => '10 days', premake => 3);
SELECT retention, premake, retention_mode FROM gamestats.managed_tables WHERE parent = 'r_drop'::regclass;
SELECT gamestats.alter_partitions('r_drop', clear_retention => true, retention_mode => 'detach');
SELECT retention, premake, retention_mode FROM gamestats.managed_tables WHERE parent = 'r_drop'::regclass;
SELECT * FROM gamestats.run_maintenance('r_drop', now => '2024-06-30 00:00+00');
-- unmanage drops nothing
SELECT count(*) AS partitions_before FROM pg_inherits WHERE inhparent = 'r_drop'::regclass;
SELECT gamestats.unmanage_partitions('r_drop');
SELECT count(*) AS partitions_after FROM pg_inherits WHERE inhparent = 'r_drop'::regclass;
SELECT count(*) AS managed FROM gamestats.managed_tables WHERE parent = 'r_drop'::regclass;

-- an existing default partition (any name) is reused and its rows in the
-- window are moved out at manage time
CREATE TABLE pre (at timestamptz NOT NULL, v int) PARTITION BY RANGE (at);
CREATE TABLE pre_catchall PARTITION OF pre DEFAULT;
INSERT INTO pre VALUES ('2024-07-01 10:00+00', 1), ('2024-07-02 10:00+00', 2), ('2024-01-01', 3);
SELECT gamestats.manage_partitions('pre', '1 day', retention => '7 days', premake => 1,
                                   now => '2024-07-02 12:00+00');
SELECT * FROM gamestats.run_maintenance('pre', now => '2024-07-02 12:00+00');
SELECT tableoid::regclass, v FROM pre ORDER BY v;
SELECT default_rows FROM gamestats.managed_tables WHERE parent = 'pre'::regclass;

DROP TABLE r_drop, r_detach, pre;
DROP TABLE r_detach_p20240603, r_detach_p20240604;
SELECT count(*) AS managed_left FROM gamestats.partition_config;
RESET search_path;
DROP SCHEMA part;
-- the settings table is dumped by pg_dump with the extension
SELECT 'gamestats.partition_config'::regclass = ANY (extconfig) AS dumped
  FROM pg_extension WHERE extname = 'pg_gamestats';
