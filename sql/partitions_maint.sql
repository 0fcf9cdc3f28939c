-- Partition manager: retention arithmetic, epoch units, partitions made by
-- hand, OID arguments, name clashes.  Each of these used to be accepted and
-- then drop the wrong partitions, fail every run, or fail obscurely.
CREATE SCHEMA pm;
SET search_path = pm, public;
SET TimeZone = 'UTC';

-- OID 0 names no table: an error naming the OID, never "(null)", and
-- run_maintenance(0) is not "every table"
CREATE TABLE ev (at timestamptz NOT NULL) PARTITION BY RANGE (at);
SELECT gamestats.manage_partitions('ev', '1 day', premake => 0, now => '2024-05-01 12:00+00');
SELECT gamestats.alter_partitions(0, premake => 2);
SELECT gamestats.unmanage_partitions(0);
SELECT * FROM gamestats.run_maintenance(0, now => '2024-05-03 12:00+00');
CALL gamestats.run_maintenance_proc(0, now => '2024-05-03 12:00+00');
SELECT count(*) AS partitions, max(last_run) IS NULL AS never_run
  FROM gamestats.partitions p JOIN gamestats.managed_tables m USING (parent);

-- run_maintenance_proc: inside a transaction block it cannot commit and is
-- part of that block; outside one it commits each table itself
CREATE TABLE pr (at timestamptz NOT NULL) PARTITION BY RANGE (at);
SELECT gamestats.manage_partitions('pr', '1 day', premake => 0, now => '2024-05-01 12:00+00');
BEGIN;
CALL gamestats.run_maintenance_proc('pr', now => '2024-05-03 12:00+00');
SELECT count(*) AS partitions FROM gamestats.partitions WHERE parent = 'pr'::regclass;
ROLLBACK;
SELECT count(*) AS partitions FROM gamestats.partitions WHERE parent = 'pr'::regclass;
CALL gamestats.run_maintenance_proc('pr', now => '2024-05-03 12:00+00');
SELECT partition FROM gamestats.partitions WHERE parent = 'pr'::regclass ORDER BY range_from NULLS FIRST;
SELECT last_error, last_run IS NOT NULL AS ran, default_rows FROM gamestats.managed_tables
 WHERE parent = 'pr'::regclass;
DROP TABLE pr;

-- a managed table dropped while event triggers were off: a superuser can
-- still forget it by its OID
CREATE TABLE gone (at timestamptz NOT NULL) PARTITION BY RANGE (at);
SELECT gamestats.manage_partitions('gone', '1 day', premake => 0, now => '2024-05-01 12:00+00');
SELECT 'gone'::regclass::oid AS gone_oid \gset
SET session_replication_role = replica;
DROP TABLE gone;
RESET session_replication_role;
SELECT count(*) AS dangling FROM gamestats.partition_config WHERE parent = :gone_oid;
SELECT gamestats.unmanage_partitions(:gone_oid);
SELECT count(*) AS dangling FROM gamestats.partition_config WHERE parent = :gone_oid;

-- a second manage_partitions on a managed bigint table says so (it used to
-- complain about the missing epoch first)
CREATE TABLE kills (at bigint NOT NULL) PARTITION BY RANGE (at);
SELECT gamestats.manage_partitions('kills', '1 day', premake => 0, epoch => 'seconds',
                                   now => '2024-05-01 12:00+00');
SELECT gamestats.manage_partitions('kills', '1 day');
SELECT gamestats.manage_partitions('kills', '1 day', epoch => 'milliseconds');

-- partition_bounds: an unknown epoch is an error, NULL and 'seconds' read seconds
SELECT * FROM gamestats.partition_bounds('kills', epoch => 'bogus');
SELECT * FROM gamestats.partition_bounds('ev', epoch => 'Seconds');
SELECT partition, range_from FROM gamestats.partition_bounds('kills', epoch => 'seconds') WHERE NOT is_default;
SELECT partition, range_from FROM gamestats.partition_bounds('kills') WHERE NOT is_default;
SELECT partition, range_from FROM gamestats.partition_bounds('kills', epoch => 'milliseconds') WHERE NOT is_default;
SELECT gamestats.unmanage_partitions('kills');
DROP TABLE kills;

-- retention with parts of both signs: its length changes with the month
-- ('1 mon -29 days' is -1 day in February), refused by manage and alter
CREATE TABLE r (at timestamptz NOT NULL) PARTITION BY RANGE (at);
SELECT gamestats.manage_partitions('r', '1 day', retention => '1 mon -29 days');
SELECT gamestats.manage_partitions('r', '1 day', retention => '1 day -1 hour');
SELECT gamestats.alter_partitions('ev', retention => '1 mon -29 days');
SELECT gamestats.alter_partitions('ev', retention => '-1 mon 40 days');
-- a retention so long that now - retention is not a time: refused by both
-- (alter used to accept it, and then every run failed)
SELECT gamestats.manage_partitions('r', '1 day', retention => '7000 years');
SELECT gamestats.alter_partitions('ev', retention => '7000 years');
SELECT gamestats.alter_partitions('ev', retention => '178000000 years');
SELECT retention FROM gamestats.managed_tables WHERE parent = 'ev'::regclass;
-- a long one that fits works, for every interval
SELECT gamestats.manage_partitions('r', '1 year', retention => '6000 years', premake => 0,
                                   now => '2024-05-01 12:00+00');
SELECT gamestats.alter_partitions('ev', retention => '6000 years');
SELECT parent, created, dropped, error FROM gamestats.run_maintenance(now => '2024-05-02 12:00+00')
 ORDER BY parent::text;
-- a stored retention the checks would refuse (restored from an older
-- version): the run says why and touches nothing
UPDATE gamestats.partition_config SET retention = '7000 years' WHERE parent = 'r'::regclass;
UPDATE gamestats.partition_config SET retention = '1 mon -29 days' WHERE parent = 'ev'::regclass;
SELECT parent, created, dropped, error FROM gamestats.run_maintenance(now => '2024-05-03 12:00+00')
 ORDER BY parent::text;
SELECT gamestats.unmanage_partitions('r');
DROP TABLE r;
SELECT gamestats.alter_partitions('ev', clear_retention => true);

-- epoch units that do not match the existing partitions: epoch seconds read
-- as milliseconds are days of January 1970 (retention would drop them all),
-- milliseconds read as seconds lie after the year 9999
CREATE TABLE secs (at bigint NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE secs_may PARTITION OF secs FOR VALUES FROM (1714521600) TO (1717200000);
INSERT INTO secs VALUES (1714600000);
SELECT gamestats.manage_partitions('secs', '1 day', retention => '30 days', epoch => 'milliseconds',
                                   now => '2024-05-20 12:00+00');
CREATE TABLE msecs (at bigint NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE msecs_may PARTITION OF msecs FOR VALUES FROM (1714521600000) TO (1717200000000);
SELECT gamestats.manage_partitions('msecs', '1 day', retention => '30 days', epoch => 'seconds',
                                   now => '2024-05-20 12:00+00');
-- MINVALUE, MAXVALUE and 0 are not taken for a unit
CREATE TABLE msecs_old PARTITION OF msecs FOR VALUES FROM (MINVALUE) TO (0);
CREATE TABLE msecs_new PARTITION OF msecs FOR VALUES FROM (1717200000000) TO (MAXVALUE);
SELECT gamestats.manage_partitions('msecs', '1 day', retention => '30 days', epoch => 'milliseconds',
                                   premake => 0, now => '2024-05-20 12:00+00');
-- the right unit works, and a run with the wrong one (a configuration
-- restored by hand) drops nothing
SELECT gamestats.manage_partitions('secs', '1 day', retention => '30 days', epoch => 'seconds',
                                   premake => 0, now => '2024-05-20 12:00+00');
UPDATE gamestats.partition_config SET epoch = 'milliseconds' WHERE parent = 'secs'::regclass;
SELECT * FROM gamestats.run_maintenance('secs', now => '2024-07-20 12:00+00');
SELECT count(*) AS partitions, sum(1) FILTER (WHERE partition = 'secs_may'::regclass) AS may_kept
  FROM gamestats.partitions WHERE parent = 'secs'::regclass;
SELECT count(*) AS rows_kept FROM secs;
-- a partition attached by hand in the wrong unit stops retention too
UPDATE gamestats.partition_config SET epoch = 'seconds' WHERE parent = 'secs'::regclass;
CREATE TABLE secs_ms (at bigint NOT NULL);
ALTER TABLE secs ATTACH PARTITION secs_ms FOR VALUES FROM (1719792000000) TO (1719878400000);
SELECT * FROM gamestats.run_maintenance('secs', now => '2024-07-20 12:00+00');
ALTER TABLE secs DETACH PARTITION secs_ms;
DROP TABLE secs_ms;
SELECT created, dropped, error FROM gamestats.run_maintenance('secs', now => '2024-07-20 12:00+00');
SELECT count(*) AS rows_left FROM secs;
DROP TABLE secs, msecs;

-- a partition made by hand from MINVALUE is never dropped by retention:
-- it is kept and the run says so; a partition ending at MAXVALUE is never due
CREATE TABLE mv (at timestamptz NOT NULL, v int) PARTITION BY RANGE (at);
CREATE TABLE mv_old PARTITION OF mv FOR VALUES FROM (MINVALUE) TO ('2024-04-01 00:00+00');
CREATE TABLE mv_far PARTITION OF mv FOR VALUES FROM ('2030-01-01 00:00+00') TO (MAXVALUE);
INSERT INTO mv VALUES ('2020-01-01', 1), ('2031-01-01', 2);
SELECT gamestats.manage_partitions('mv', '1 day', retention => '3 days', premake => 0,
                                   start_time => '2024-04-28', now => '2024-05-01 12:00+00');
SELECT * FROM gamestats.run_maintenance('mv', now => '2024-05-03 12:00+00');
SELECT partition FROM gamestats.partitions WHERE parent = 'mv'::regclass ORDER BY range_from NULLS FIRST;
SELECT last_error FROM gamestats.managed_tables WHERE parent = 'mv'::regclass;
SELECT tableoid::regclass, v FROM mv ORDER BY v;
-- dropped by hand, the error is gone at the next run
DROP TABLE mv_old;
SELECT * FROM gamestats.run_maintenance('mv', now => '2024-05-03 12:00+00');
DROP TABLE mv;

-- name clashes: a leftover table with the would-be name of a partition is
-- an error that says what it is, and nothing else is attached in its place
CREATE TABLE lo (at timestamptz NOT NULL, v int) PARTITION BY RANGE (at);
SELECT gamestats.manage_partitions('lo', '1 day', retention => '10 days', premake => 0,
                                   retention_mode => 'detach', start_time => '2024-05-01',
                                   now => '2024-05-02 12:00+00');
INSERT INTO lo VALUES ('2024-05-01 10:00+00', 1);
ALTER TABLE lo DETACH PARTITION lo_p20240501;
INSERT INTO lo VALUES ('2024-05-01 11:00+00', 2);
SELECT * FROM gamestats.run_maintenance('lo', now => '2024-05-02 12:00+00');
SELECT tableoid::regclass, v FROM lo ORDER BY v;
-- renamed, the next run makes the partition and moves the row into it
ALTER TABLE lo_p20240501 RENAME TO lo_may1_archive;
SELECT * FROM gamestats.run_maintenance('lo', now => '2024-05-02 12:00+00');
SELECT tableoid::regclass, v FROM lo ORDER BY v;
DROP TABLE lo, lo_may1_archive;

-- long parent names: two parents whose names agree on the bytes a
-- partition name keeps; the second gets the next free names, never fails
CREATE TABLE player_session_events_recorded_by_the_matchmaking_service_eu (at timestamptz NOT NULL)
  PARTITION BY RANGE (at);
CREATE TABLE player_session_events_recorded_by_the_matchmaking_service_us (at timestamptz NOT NULL)
  PARTITION BY RANGE (at);
SELECT gamestats.manage_partitions('player_session_events_recorded_by_the_matchmaking_service_eu',
                                   '1 day', premake => 1, now => '2024-05-01 12:00+00');
SELECT gamestats.manage_partitions('player_session_events_recorded_by_the_matchmaking_service_us',
                                   '1 day', premake => 1, now => '2024-05-01 12:00+00');
SELECT * FROM gamestats.run_maintenance(now => '2024-05-02 12:00+00') ORDER BY parent::text;
SELECT right(p.parent::text, 2) AS parent, c.relname, octet_length(c.relname) AS bytes
  FROM gamestats.partitions p JOIN pg_class c ON c.oid = p.partition
 ORDER BY p.parent::text, p.range_from NULLS FIRST;
DROP TABLE player_session_events_recorded_by_the_matchmaking_service_eu,
           player_session_events_recorded_by_the_matchmaking_service_us;
-- a type or a view of that name is stepped around too
CREATE TYPE ty_p20240501 AS (x int);
CREATE VIEW ty_default AS SELECT 1 AS x;
CREATE TABLE ty (at timestamptz NOT NULL) PARTITION BY RANGE (at);
SELECT gamestats.manage_partitions('ty', '1 day', premake => 0, now => '2024-05-01 12:00+00');
SELECT partition FROM gamestats.partitions WHERE parent = 'ty'::regclass ORDER BY 1;
DROP TABLE ty;
DROP VIEW ty_default;
DROP TYPE ty_p20240501;

DROP TABLE ev;
SELECT count(*) AS managed_left FROM gamestats.partition_config;
RESET search_path;
RESET TimeZone;
DROP SCHEMA pm;
