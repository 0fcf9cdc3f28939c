
-- ---------------------------------------------------------------------------
-- Seasons: boards that start over on a UTC schedule and keep each season's
-- final standings in <board>_seasons (src/season.c).  The configuration
-- table, gamestats.leaderboard_season, is with the leaderboards' tables.
-- ---------------------------------------------------------------------------

-- Each function checks that the caller owns the board.
CREATE FUNCTION gamestats.set_season(
    board             pg_catalog.regclass,
    period            pg_catalog.interval,
    archive_retention pg_catalog.interval    DEFAULT NULL,
    now               pg_catalog.timestamptz DEFAULT NULL)
RETURNS pg_catalog.void
LANGUAGE C CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'gamestats_set_season';
COMMENT ON FUNCTION gamestats.set_season(pg_catalog.regclass, pg_catalog.interval, pg_catalog.interval, pg_catalog.timestamptz) IS
    'give a leaderboard seasons of 1 hour, 1 day, 1 week or 1 month (UTC) and the archive <board>_seasons; again with the same period: set archive_retention (owner only)';

CREATE FUNCTION gamestats.rollover(
    board pg_catalog.regclass    DEFAULT NULL,
    now   pg_catalog.timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (board pg_catalog.regclass, seasons_archived pg_catalog.int4)
LANGUAGE C CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE ROWS 10
AS 'MODULE_PATHNAME', 'gamestats_rollover';
COMMENT ON FUNCTION gamestats.rollover(pg_catalog.regclass, pg_catalog.timestamptz) IS
    'close the seasons that ended before now: archive their final standings into <board>_seasons and start the next; one board or every seasonal board the caller owns';

-- The season a refresh computes, for the board's query to filter on.
CREATE FUNCTION gamestats.season_start()
RETURNS pg_catalog.timestamptz
LANGUAGE C STABLE PARALLEL RESTRICTED
AS 'MODULE_PATHNAME', 'gamestats_season_start';
COMMENT ON FUNCTION gamestats.season_start() IS
    'start of the season that the refresh of a seasonal leaderboard computes (the current one, or the one rollover archives); null elsewhere';

CREATE FUNCTION gamestats.season_end()
RETURNS pg_catalog.timestamptz
LANGUAGE C STABLE PARALLEL RESTRICTED
AS 'MODULE_PATHNAME', 'gamestats_season_end';
COMMENT ON FUNCTION gamestats.season_end() IS
    'end (exclusive) of the season that the refresh of a seasonal leaderboard computes; null elsewhere';

-- The statement trigger set_season() puts on the table of a live board.
CREATE FUNCTION gamestats.live_season()
RETURNS trigger
LANGUAGE C
AS 'MODULE_PATHNAME', 'gamestats_live_season';
COMMENT ON FUNCTION gamestats.live_season() IS
    'statement trigger of a seasonal live leaderboard''s table: the first write after the end of a season rolls it over first';
