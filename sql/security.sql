-- Security across features: a non-superuser owner uses everything on its
-- own objects; hostile names and values stay names and values; objects
-- planted earlier in search_path are never called.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_gamestats;
CREATE EXTENSION IF NOT EXISTS pg_cron;
CREATE FUNCTION pg_temp.try(stmt text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE stmt;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

CREATE ROLE regress_sec_owner;
CREATE ROLE regress_sec_other;
GRANT USAGE ON SCHEMA cron TO regress_sec_owner, regress_sec_other;
CREATE SCHEMA "Sëc; --" AUTHORIZATION regress_sec_owner;
GRANT USAGE ON SCHEMA "Sëc; --" TO regress_sec_other;

-- the owner: hostile board, column and segment names, a query with a
-- comment and a semicolon inside a literal
SET ROLE regress_sec_owner;
CREATE TABLE "Sëc; --"."Scores'); DROP TABLE x; --" (
    "pl""ayer" bigint PRIMARY KEY,
    "scöre" integer,
    "re gion" text NOT NULL
);
INSERT INTO "Sëc; --"."Scores'); DROP TABLE x; --" VALUES
    (1, 10, 'O''Brien; DROP TABLE x; --'), (2, 30, 'O''Brien; DROP TABLE x; --'),
    (3, 20, 'ü'), (4, 5, 'ü');
SELECT gamestats.create_leaderboard(
    '"Sëc; --"."Top ""10""; DROP TABLE x; --"',
    $q$SELECT "pl""ayer", "scöre", "re gion", 'a;b -- c' AS note
         FROM "Sëc; --"."Scores'); DROP TABLE x; --"  -- trailing comment$q$,
    player_column => 'pl"ayer', score_column => 'scöre', segment_column => 're gion');
SELECT * FROM "Sëc; --"."Top ""10""; DROP TABLE x; --" ORDER BY 5, 1;
SELECT rank, "pl""ayer" FROM gamestats.top(NULL::"Sëc; --"."Top ""10""; DROP TABLE x; --", 5,
                                         segment => 'O''Brien; DROP TABLE x; --');
SELECT rank, "pl""ayer" FROM gamestats.ranks(NULL::"Sëc; --"."Top ""10""; DROP TABLE x; --",
                                           ARRAY[4, 3], segment => 'ü');
UPDATE "Sëc; --"."Scores'); DROP TABLE x; --" SET "scöre" = 100 WHERE "pl""ayer" = 4;
SELECT gamestats.refresh_leaderboard('"Sëc; --"."Top ""10""; DROP TABLE x; --"', strategy)
  FROM unnest(ARRAY['swap', 'concurrently', 'blocking']) AS strategy;
SELECT rank, "pl""ayer" FROM gamestats.ranks(NULL::"Sëc; --"."Top ""10""; DROP TABLE x; --",
                                           ARRAY[4, 3], segment => 'ü');
SELECT gamestats.schedule_refresh('"Sëc; --"."Top ""10""; DROP TABLE x; --"', '*/5 * * * *') > 0 AS scheduled;
SELECT command FROM cron.job WHERE username = 'regress_sec_owner';
SELECT gamestats.board_size(NULL::"Sëc; --"."Top ""10""; DROP TABLE x; --", 'O''Brien; DROP TABLE x; --');
RESET ROLE;

-- another role: no manage, refresh, schedule, drop, or read through us
SET ROLE regress_sec_other;
SELECT pg_temp.try($$SELECT gamestats.refresh_leaderboard('"Sëc; --"."Top ""10""; DROP TABLE x; --"')$$);
SELECT pg_temp.try($$SELECT gamestats.schedule_refresh('"Sëc; --"."Top ""10""; DROP TABLE x; --"', '* * * * *')$$);
SELECT pg_temp.try($$SELECT gamestats.drop_leaderboard('"Sëc; --"."Top ""10""; DROP TABLE x; --"')$$);
SELECT pg_temp.try($$SELECT * FROM gamestats.top(NULL::"Sëc; --"."Top ""10""; DROP TABLE x; --", 1, segment => 'ü')$$);
SELECT pg_temp.try($$SELECT * FROM gamestats.lookup(NULL::"Sëc; --"."Scores'); DROP TABLE x; --", ARRAY[1])$$);
SELECT pg_temp.try($$SELECT gamestats.create_leaderboard('"Sëc; --".mine', 'SELECT 1::bigint AS player_id, 1 AS score')$$);
RESET ROLE;

-- planted functions and operators earlier in search_path are never called
CREATE SCHEMA sec_evil;
CREATE FUNCTION sec_evil.now() RETURNS timestamptz LANGUAGE sql AS $$ SELECT '2099-01-01 00:00+00'::timestamptz $$;
CREATE FUNCTION sec_evil.int8eq_evil(bigint, bigint) RETURNS boolean LANGUAGE sql AS 'SELECT true';
CREATE OPERATOR sec_evil.= (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = sec_evil.int8eq_evil);
CREATE FUNCTION sec_evil.int4eq_evil(integer, integer) RETURNS boolean LANGUAGE sql AS 'SELECT true';
CREATE OPERATOR sec_evil.= (LEFTARG = integer, RIGHTARG = integer, FUNCTION = sec_evil.int4eq_evil);
CREATE TABLE sec_ev (at timestamptz NOT NULL, v int) PARTITION BY RANGE (at);
SET search_path = sec_evil, pg_catalog, public;
SELECT now() > '2098-01-01' AS planted_now_is_visible;
SELECT gamestats.manage_partitions('sec_ev', '1 day', retention => '3 days', premake => 2) > 0 AS managed;
INSERT INTO sec_ev VALUES (pg_catalog.now(), 1), (pg_catalog.now() - interval '10 days', 2);
SELECT count(*) FILTER (WHERE error IS NOT NULL) AS errors FROM gamestats.run_maintenance('sec_ev');
-- partitions follow the real clock: today and 2 days ahead, nothing in 2099
SELECT count(*) FILTER (WHERE range_from > '2090-01-01') AS in_2099,
       count(*) FILTER (WHERE pg_catalog.now() >= range_from AND pg_catalog.now() < range_to) AS today
  FROM gamestats.partitions WHERE parent = 'sec_ev'::regclass AND NOT is_default;
SELECT gamestats.refresh_leaderboard('"Sëc; --"."Top ""10""; DROP TABLE x; --"');
SELECT rank, "pl""ayer" FROM gamestats.ranks(NULL::"Sëc; --"."Top ""10""; DROP TABLE x; --",
                                           ARRAY[4, 3], segment => 'ü');
RESET search_path;

SELECT gamestats.unmanage_partitions('sec_ev');
SELECT gamestats.drop_leaderboard('"Sëc; --"."Top ""10""; DROP TABLE x; --"');
SELECT count(*) AS jobs_left FROM cron.job WHERE username = 'regress_sec_owner';
-- dropping a board's view directly also forgets the board and its job
SET ROLE regress_sec_owner;
SELECT gamestats.create_leaderboard('"Sëc; --".direct',
    $q$SELECT "pl""ayer", "scöre" FROM "Sëc; --"."Scores'); DROP TABLE x; --"$q$,
    player_column => 'pl"ayer', score_column => 'scöre') IS NOT NULL AS made;
SELECT gamestats.schedule_refresh('"Sëc; --".direct', '0 4 * * *') > 0 AS scheduled;
DROP MATERIALIZED VIEW "Sëc; --".direct;
RESET ROLE;
SELECT (SELECT count(*) FROM gamestats.leaderboard_config c
         WHERE NOT EXISTS (SELECT FROM pg_class r WHERE r.oid = c.board)) AS dangling_boards,
       (SELECT count(*) FROM cron.job WHERE username = 'regress_sec_owner') AS jobs_left;
DROP SCHEMA sec_evil CASCADE;
DROP TABLE sec_ev;
DROP SCHEMA "Sëc; --" CASCADE;
REVOKE USAGE ON SCHEMA cron FROM regress_sec_owner, regress_sec_other;
DROP ROLE regress_sec_owner, regress_sec_other;
