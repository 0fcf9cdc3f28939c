-- Partition manager: a non-superuser owner manages its own table; other
-- roles cannot; new partitions get the parent's owner, grants, indexes and
-- constraints; names with quotes, spaces and unicode are quoted, never
-- spliced.
-- runs a statement, shows SQLSTATE, message and hint of its error
CREATE FUNCTION pg_temp.try(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE st text; msg text; hint text;
BEGIN
    EXECUTE sql;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, hint = PG_EXCEPTION_HINT;
    RETURN st || ': ' || msg || E'\nHINT: ' || hint;
END $$;
CREATE ROLE regress_gs_owner;
CREATE ROLE regress_gs_other;
CREATE ROLE regress_gs_reader;
CREATE SCHEMA "Game ""Data"" ü" AUTHORIZATION regress_gs_owner;
SET search_path = "Game ""Data"" ü", public;

SET ROLE regress_gs_owner;
CREATE TABLE players (id int PRIMARY KEY);
CREATE TABLE "Kill Log'); DROP TABLE players; --" (
    id bigint NOT NULL,
    "at time" timestamptz NOT NULL,
    player int REFERENCES players (id),
    damage int CHECK (damage >= 0),
    PRIMARY KEY (id, "at time")
) PARTITION BY RANGE ("at time");
CREATE INDEX "by player ü" ON "Kill Log'); DROP TABLE players; --" (player);
GRANT SELECT ON "Kill Log'); DROP TABLE players; --" TO regress_gs_reader;
GRANT INSERT ON "Kill Log'); DROP TABLE players; --" TO regress_gs_other WITH GRANT OPTION;
GRANT USAGE ON SCHEMA "Game ""Data"" ü" TO regress_gs_other;
SELECT gamestats.manage_partitions('"Game ""Data"" ü"."Kill Log''); DROP TABLE players; --"',
                                   '1 day', retention => '2 days', premake => 1,
                                   now => '2024-04-01 12:00+00');
-- grants of others than the owner (the owner's own set grew in PostgreSQL 17)
SELECT p.partition, c.relowner::regrole AS owner,
       ARRAY(SELECT a::text FROM unnest(c.relacl) a
              WHERE a::text NOT LIKE c.relowner::regrole::text || '=%' ORDER BY 1) AS grants
  FROM gamestats.partitions p JOIN pg_class c ON c.oid = p.partition
 ORDER BY p.range_from NULLS FIRST;
-- indexes, the FK and the CHECK reach the new partitions
-- (NOT NULL constraints, catalogued from PostgreSQL 18 on, left out)
SELECT conrelid::regclass, conname, contype FROM pg_constraint
 WHERE conrelid IN (SELECT partition FROM gamestats.partitions) AND contype <> 'n'
 ORDER BY conrelid::text, conname;
SELECT tablename, indexname FROM pg_indexes
 WHERE schemaname = 'Game "Data" ü' AND tablename LIKE 'Kill%' ORDER BY 1, 2;
SELECT * FROM gamestats.run_maintenance(now => '2024-04-03 12:00+00');
SELECT parent, last_error, last_run IS NOT NULL AS ran FROM gamestats.managed_tables;
-- the configuration is written only by the functions
UPDATE gamestats.partition_config SET premake = 100;
SELECT players_left FROM (SELECT count(*) AS players_left FROM players) s;
RESET ROLE;

-- another role can neither manage, alter, maintain nor unmanage it
SET ROLE regress_gs_other;
SELECT pg_temp.try($$SELECT gamestats.manage_partitions('players', '1 day')$$);
SELECT pg_temp.try($$SELECT gamestats.alter_partitions('"Kill Log''); DROP TABLE players; --"', premake => 9)$$);
SELECT pg_temp.try($$SELECT * FROM gamestats.run_maintenance('"Kill Log''); DROP TABLE players; --"')$$);
SELECT pg_temp.try($$SELECT gamestats.unmanage_partitions('"Kill Log''); DROP TABLE players; --"')$$);
-- maintaining "everything" covers only the caller's own tables
SELECT * FROM gamestats.run_maintenance(now => '2024-04-20 12:00+00');
DELETE FROM gamestats.partition_config;
INSERT INTO gamestats.partition_config (parent, control, key_type, partition_interval, premake)
VALUES ('"Kill Log''); DROP TABLE players; --"', 'id', 'int8', '1 day', 1);
-- the views are public
SELECT parent, premake FROM gamestats.managed_tables;
RESET ROLE;

-- a superuser's run works as the owner: new partitions stay the owner's
SELECT * FROM gamestats.run_maintenance(now => '2024-04-04 12:00+00');
SELECT p.partition, c.relowner::regrole AS owner
  FROM gamestats.partitions p JOIN pg_class c ON c.oid = p.partition
 ORDER BY p.range_from NULLS FIRST;

-- with row-level security on the parent, partitions get no grants (the
-- policies apply only through the parent)
SET ROLE regress_gs_owner;
CREATE TABLE secret (at timestamptz NOT NULL, who text) PARTITION BY RANGE (at);
GRANT SELECT ON secret TO regress_gs_reader;
ALTER TABLE secret ENABLE ROW LEVEL SECURITY;
SELECT gamestats.manage_partitions('secret', '1 month', premake => 0, default_partition => false,
                                   now => '2024-04-01');
SELECT c.relname, c.relacl FROM pg_class c JOIN gamestats.partitions p ON p.partition = c.oid
 WHERE p.parent = 'secret'::regclass;
SELECT gamestats.unmanage_partitions('secret');
SELECT gamestats.unmanage_partitions('"Kill Log''); DROP TABLE players; --"');
RESET ROLE;

DROP SCHEMA "Game ""Data"" ü" CASCADE;
DROP ROLE regress_gs_owner, regress_gs_other, regress_gs_reader;
RESET search_path;
