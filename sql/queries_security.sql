-- Query functions read only what the caller may read: table and column
-- privileges, row-level security, and nothing through search_path tricks.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_gamestats;
CREATE FUNCTION pg_temp.try(stmt text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
    -- array_agg(s) makes every output column be computed
    EXECUTE 'SELECT coalesce(cardinality(array_agg(s)), 0) FROM (' || stmt || ') s' INTO n;
    RETURN 'ok: ' || n || ' rows';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

CREATE ROLE regress_gs_reader;
CREATE TABLE sec_players (player_id bigint PRIMARY KEY, name text, tenant text, score int);
INSERT INTO sec_players SELECT i, 'p' || i, CASE WHEN i <= 5 THEN 'a' ELSE 'b' END, i * 10
  FROM generate_series(1, 10) i;
SELECT gamestats.create_leaderboard('sec_board', 'SELECT player_id, score FROM sec_players');
GRANT USAGE ON SCHEMA public TO regress_gs_reader;

SET ROLE regress_gs_reader;
SELECT pg_temp.try($$SELECT * FROM gamestats.top(NULL::sec_board, 3)$$);
SELECT pg_temp.try($$SELECT * FROM gamestats.ranks(NULL::sec_board, ARRAY[1])$$);
SELECT pg_temp.try($$SELECT * FROM gamestats.around(NULL::sec_board, 1)$$);
SELECT pg_temp.try($$SELECT gamestats.rank_for_score(NULL::sec_board, 5)$$);
SELECT pg_temp.try($$SELECT gamestats.board_size(NULL::sec_board)$$);
SELECT pg_temp.try($$SELECT * FROM gamestats.lookup(NULL::sec_players, ARRAY[1, 2])$$);
RESET ROLE;

GRANT SELECT ON sec_board TO regress_gs_reader;
GRANT SELECT (player_id, name) ON sec_players TO regress_gs_reader;
SET ROLE regress_gs_reader;
SELECT pg_temp.try($$SELECT * FROM gamestats.top(NULL::sec_board, 3)$$);
SELECT pg_temp.try($$SELECT * FROM gamestats.ranks(NULL::sec_board, ARRAY[1, 2, 99])$$);
-- SELECT on some columns is not enough: lookup returns whole rows
SELECT pg_temp.try($$SELECT * FROM gamestats.lookup(NULL::sec_players, ARRAY[1, 2])$$);
RESET ROLE;

GRANT SELECT (tenant, score) ON sec_players TO regress_gs_reader;
SET ROLE regress_gs_reader;
SELECT pg_temp.try($$SELECT * FROM gamestats.lookup(NULL::sec_players, ARRAY[1, 2])$$);
RESET ROLE;

-- row-level security: never read past a policy
ALTER TABLE sec_players ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_a ON sec_players FOR SELECT USING (tenant = 'a');
SET ROLE regress_gs_reader;
SELECT count(*) AS visible_by_select FROM sec_players WHERE player_id IN (1, 9);
SELECT pg_temp.try($$SELECT * FROM gamestats.lookup(NULL::sec_players, ARRAY[1, 9])$$);
SET row_security = off;
SELECT pg_temp.try($$SELECT * FROM gamestats.lookup(NULL::sec_players, ARRAY[1, 9])$$);
RESET row_security;
RESET ROLE;
-- the owner is not subject to its table's policies (unless forced)
SELECT player_id FROM gamestats.lookup(NULL::sec_players, ARRAY[1, 9]);
ALTER TABLE sec_players FORCE ROW LEVEL SECURITY;
CREATE ROLE regress_gs_owner;
ALTER TABLE sec_players OWNER TO regress_gs_owner;
SET ROLE regress_gs_owner;
SELECT pg_temp.try($$SELECT * FROM gamestats.lookup(NULL::sec_players, ARRAY[1, 9])$$);
RESET ROLE;

-- a planted operator or function earlier in search_path is never called
CREATE SCHEMA evil;
CREATE FUNCTION evil.int8eq_evil(bigint, bigint) RETURNS boolean LANGUAGE sql AS 'SELECT true';
CREATE OPERATOR evil.= (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = evil.int8eq_evil);
SET search_path = evil, public, pg_catalog;
SELECT player_id FROM gamestats.ranks(NULL::sec_board, ARRAY[3, 4]);
SELECT player_id FROM gamestats.lookup(NULL::sec_board, ARRAY[3], key_index => 'sec_board_player_key');
RESET search_path;
DROP SCHEMA evil CASCADE;

SELECT gamestats.drop_leaderboard('sec_board');
DROP OWNED BY regress_gs_reader;
DROP OWNED BY regress_gs_owner;
DROP ROLE regress_gs_reader;
DROP ROLE regress_gs_owner;
