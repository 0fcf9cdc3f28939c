-- Parameters without a type, as drivers such as node-postgres bind them:
-- the polymorphic arguments resolve them to text, and keys and scores are
-- then read with the column type's input function (as SQL reads an untyped
-- literal).  Text that is not valid input is that type's input error.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_gamestats;
CREATE SCHEMA untyped;
SET search_path = untyped, public;
CREATE TABLE scores (player_id bigint PRIMARY KEY, score int, nick text);
INSERT INTO scores SELECT i, i * 10, 'p' || i FROM generate_series(1, 9) i;
SELECT gamestats.create_leaderboard('untyped.board', 'SELECT player_id, score, nick FROM untyped.scores') IS NOT NULL AS made;
CREATE TABLE times (player_id bigint PRIMARY KEY, best interval);
INSERT INTO times VALUES (1, '1 hour'), (2, '1 day'), (3, '2 days');
SELECT gamestats.create_leaderboard('untyped.fastest', 'SELECT player_id, best FROM untyped.times',
                                    score_column => 'best', descending => false) IS NOT NULL AS made;

PREPARE top_around(unknown) AS
    SELECT rank, player_id FROM gamestats.around(NULL::untyped.board, $1, 1, 1);
EXECUTE top_around('5');
PREPARE friends AS
    SELECT rank, player_id FROM gamestats.ranks(NULL::untyped.board, $1);
EXECUTE friends('{7,2,42}');
PREPARE batch AS
    SELECT player_id, nick FROM gamestats.lookup(NULL::untyped.scores, $1);
EXECUTE batch('{3,1}');
PREPARE would_rank AS SELECT gamestats.rank_for_score(NULL::untyped.board, $1);
EXECUTE would_rank('55');
PREPARE would_rank_time AS SELECT gamestats.rank_for_score(NULL::untyped.fastest, $1);
EXECUTE would_rank_time('1 day');
EXECUTE would_rank_time('36 hours');
-- the types the parameters were given
SELECT name, parameter_types FROM pg_prepared_statements ORDER BY name;
-- text literals too, and text that is not a key
SELECT rank, player_id FROM gamestats.ranks(NULL::untyped.board, ARRAY['4', '9']);
SELECT rank, player_id FROM gamestats.around(NULL::untyped.board, '1'::text, 0, 0);
\set VERBOSITY terse
EXECUTE friends('{7,seven}');
EXECUTE top_around('');
EXECUTE would_rank_time('soon');
\set VERBOSITY default
DEALLOCATE ALL;
SELECT gamestats.drop_leaderboard('untyped.board');
SELECT gamestats.drop_leaderboard('untyped.fastest');
DROP SCHEMA untyped CASCADE;
