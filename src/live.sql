
-- ---------------------------------------------------------------------------
-- Live leaderboards: boards whose ranks include every committed change of
-- the table they rank (src/live.c, src/query.c).  Their configuration is
-- gamestats.live_config (src/leaderboards.sql).
-- ---------------------------------------------------------------------------

-- Checks that the caller owns the source (it gets triggers and an index)
-- and may create the board in its schema.
CREATE FUNCTION gamestats.create_live_leaderboard(
    board           pg_catalog.text,
    source          pg_catalog.regclass,
    player_column   pg_catalog.name DEFAULT 'player_id',
    score_column    pg_catalog.name DEFAULT 'score',
    descending      pg_catalog.bool DEFAULT true,
    tiebreak_column pg_catalog.name DEFAULT NULL,
    segment_column  pg_catalog.name DEFAULT NULL,
    rank_type       pg_catalog.text DEFAULT 'competition')
RETURNS pg_catalog.regclass
LANGUAGE C CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'gamestats_create_live_leaderboard';
COMMENT ON FUNCTION gamestats.create_live_leaderboard(pg_catalog.text, pg_catalog.regclass, pg_catalog.name, pg_catalog.name, pg_catalog.bool, pg_catalog.name, pg_catalog.name, pg_catalog.text) IS
    'create a live leaderboard over a table with one row per player (per segment): every committed change of the table is in its ranks at once';

-- Writes as the caller: their privileges and policies on the source apply.
CREATE FUNCTION gamestats.submit_score(
    board   anyelement,
    player  "any",
    score   "any",
    op      pg_catalog.text DEFAULT 'best',
    segment pg_catalog.text DEFAULT NULL,
    at      pg_catalog.timestamptz DEFAULT pg_catalog.now())
RETURNS SETOF anyelement
LANGUAGE C CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'gamestats_submit_score';
COMMENT ON FUNCTION gamestats.submit_score(anyelement, "any", "any", pg_catalog.text, pg_catalog.text, pg_catalog.timestamptz) IS
    'write a player''s score into a live board''s table (op best, set, incr or decr) and return the player''s board row with its live rank';

-- The triggers create_live_leaderboard puts on the source.
CREATE FUNCTION gamestats.live_capture()
RETURNS trigger
LANGUAGE C
AS 'MODULE_PATHNAME', 'gamestats_live_capture';
COMMENT ON FUNCTION gamestats.live_capture() IS
    'trigger of a live leaderboard''s table: journals each change of a ranked row';

CREATE FUNCTION gamestats.live_truncate()
RETURNS trigger
LANGUAGE C
AS 'MODULE_PATHNAME', 'gamestats_live_truncate';
COMMENT ON FUNCTION gamestats.live_truncate() IS
    'TRUNCATE trigger of a live leaderboard''s table: folds the board at once';
