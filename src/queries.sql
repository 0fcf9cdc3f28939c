
-- ---------------------------------------------------------------------------
-- Batched lookups and rank queries: reads of leaderboards and tables that go
-- straight to their indexes (src/query.c).  Not STRICT: the first argument
-- is a typed NULL by design (NULL::board names the row type).  Callers need
-- SELECT on what they read, checked inside; EXECUTE is PUBLIC's.
-- ---------------------------------------------------------------------------

CREATE FUNCTION gamestats.top(
    board     pg_catalog.anyelement,
    n         pg_catalog.int4 DEFAULT 10,
    from_rank pg_catalog.int8 DEFAULT 1,
    segment   pg_catalog.text DEFAULT NULL)
RETURNS SETOF pg_catalog.anyelement
LANGUAGE C STABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'gamestats_top';
COMMENT ON FUNCTION gamestats.top(pg_catalog.anyelement, pg_catalog.int4, pg_catalog.int8, pg_catalog.text) IS
    'n rows of a leaderboard in rank order from from_rank; pass the board as NULL::board';

CREATE FUNCTION gamestats.around(
    board   pg_catalog.anyelement,
    player  pg_catalog.anycompatible,
    before  pg_catalog.int4 DEFAULT 5,
    after   pg_catalog.int4 DEFAULT 5,
    segment pg_catalog.text DEFAULT NULL)
RETURNS SETOF pg_catalog.anyelement
LANGUAGE C STABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'gamestats_around';
COMMENT ON FUNCTION gamestats.around(pg_catalog.anyelement, pg_catalog.anycompatible, pg_catalog.int4, pg_catalog.int4, pg_catalog.text) IS
    'a player''s leaderboard row with up to before rows above and after rows below it';

CREATE FUNCTION gamestats.ranks(
    board   pg_catalog.anyelement,
    players pg_catalog.anycompatiblearray,
    segment pg_catalog.text DEFAULT NULL)
RETURNS SETOF pg_catalog.anyelement
LANGUAGE C STABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'gamestats_ranks';
COMMENT ON FUNCTION gamestats.ranks(pg_catalog.anyelement, pg_catalog.anycompatiblearray, pg_catalog.text) IS
    'leaderboard rows of the given players, in input order';

CREATE FUNCTION gamestats.rank_for_score(
    board   pg_catalog.anyelement,
    score   pg_catalog.anycompatible,
    segment pg_catalog.text DEFAULT NULL)
RETURNS pg_catalog.int8
LANGUAGE C STABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'gamestats_rank_for_score';
COMMENT ON FUNCTION gamestats.rank_for_score(pg_catalog.anyelement, pg_catalog.anycompatible, pg_catalog.text) IS
    'the rank a player with this score would get on the leaderboard';

CREATE FUNCTION gamestats.board_size(
    board   pg_catalog.anyelement,
    segment pg_catalog.text DEFAULT NULL)
RETURNS pg_catalog.int8
LANGUAGE C STABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'gamestats_board_size';
COMMENT ON FUNCTION gamestats.board_size(pg_catalog.anyelement, pg_catalog.text) IS
    'players on the leaderboard (in the segment) as of its last refresh';

CREATE FUNCTION gamestats.lookup(
    rel       pg_catalog.anyelement,
    keys      pg_catalog.anycompatiblearray,
    key_index pg_catalog.regclass DEFAULT NULL)
RETURNS SETOF pg_catalog.anyelement
LANGUAGE C STABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'gamestats_lookup';
COMMENT ON FUNCTION gamestats.lookup(pg_catalog.anyelement, pg_catalog.anycompatiblearray, pg_catalog.regclass) IS
    'rows of a table for the given primary-key values (or key_index), in input order';
