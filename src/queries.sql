
-- Queries: batched reads of leaderboards and tables (src/query.c).
-- Not STRICT: the first argument is a typed NULL by design.

CREATE FUNCTION gamestats.top(board anyelement, n integer DEFAULT 10,
                              from_rank bigint DEFAULT 1, segment text DEFAULT NULL)
RETURNS SETOF anyelement
LANGUAGE C STABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'gamestats_top';
COMMENT ON FUNCTION gamestats.top(anyelement, integer, bigint, text) IS
'n rows of a leaderboard in rank order from from_rank; pass the board as NULL::board';

CREATE FUNCTION gamestats.around(board anyelement, player anycompatible,
                                 before integer DEFAULT 5, after integer DEFAULT 5,
                                 segment text DEFAULT NULL)
RETURNS SETOF anyelement
LANGUAGE C STABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'gamestats_around';
COMMENT ON FUNCTION gamestats.around(anyelement, anycompatible, integer, integer, text) IS
'a player''s leaderboard row with up to before rows above and after rows below it';

CREATE FUNCTION gamestats.ranks(board anyelement, players anycompatiblearray,
                                segment text DEFAULT NULL)
RETURNS SETOF anyelement
LANGUAGE C STABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'gamestats_ranks';
COMMENT ON FUNCTION gamestats.ranks(anyelement, anycompatiblearray, text) IS
'leaderboard rows of the given players, in input order';

CREATE FUNCTION gamestats.rank_for_score(board anyelement, score anycompatible,
                                         segment text DEFAULT NULL)
RETURNS bigint
LANGUAGE C STABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'gamestats_rank_for_score';
COMMENT ON FUNCTION gamestats.rank_for_score(anyelement, anycompatible, text) IS
'the rank a player with this score would get on the leaderboard';

CREATE FUNCTION gamestats.board_size(board anyelement, segment text DEFAULT NULL)
RETURNS bigint
LANGUAGE C STABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'gamestats_board_size';
COMMENT ON FUNCTION gamestats.board_size(anyelement, text) IS
'players on the leaderboard (in the segment) as of its last refresh';

CREATE FUNCTION gamestats.lookup(rel anyelement, keys anycompatiblearray,
                                 key_index regclass DEFAULT NULL)
RETURNS SETOF anyelement
LANGUAGE C STABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'gamestats_lookup';
COMMENT ON FUNCTION gamestats.lookup(anyelement, anycompatiblearray, regclass) IS
'rows of a table for the given primary-key values (or key_index), in input order';
