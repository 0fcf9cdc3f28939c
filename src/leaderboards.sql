
-- ---------------------------------------------------------------------------
-- Leaderboards: ranking materialized views refreshed by swapping storage.
-- The create/refresh machinery is C (src/leaderboard.c); these tables hold
-- each board's definition and the state of its last refresh.
-- ---------------------------------------------------------------------------

CREATE TABLE gamestats.leaderboard_config (
    board            pg_catalog.regclass PRIMARY KEY,
    query            pg_catalog.text NOT NULL,
    player_column    pg_catalog.name NOT NULL,
    score_column     pg_catalog.name NOT NULL,
    descending       pg_catalog.bool NOT NULL,
    tiebreak_column  pg_catalog.name,
    segment_column   pg_catalog.name,
    rank_type        pg_catalog.text NOT NULL
                     CHECK (rank_type OPERATOR(pg_catalog.=) ANY (ARRAY['competition', 'dense', 'ordinal'])),
    rows             pg_catalog.int8,
    segments         pg_catalog.int8,
    last_refresh_at  pg_catalog.timestamptz,
    last_refresh_ms  pg_catalog.float8,
    last_strategy    pg_catalog.text,
    jobid            pg_catalog.int8,
    -- the pg_cron job as schedule_refresh made it: only a job with this
    -- name, user and command is ever unscheduled for the board
    job_name         pg_catalog.text,
    job_user         pg_catalog.name,
    job_command      pg_catalog.text
);
COMMENT ON TABLE gamestats.leaderboard_config IS
    'one row per leaderboard: its definition and the state of its last refresh (written by the leaderboard functions)';

-- The error of the last failed refresh of each board that has one.  Apart
-- from leaderboard_config because messages quote row data (the duplicated
-- key, a value that failed a cast): PUBLIC cannot read this table, and the
-- view leaderboards shows an error only to roles that may read the board.
-- Not dumped.
CREATE TABLE gamestats.leaderboard_errors (
    board      pg_catalog.regclass PRIMARY KEY
               REFERENCES gamestats.leaderboard_config (board) ON DELETE CASCADE,
    last_error pg_catalog.text NOT NULL
);
COMMENT ON TABLE gamestats.leaderboard_errors IS
    'error of the last failed refresh of each leaderboard (readable through gamestats.leaderboards by roles that may read the board)';

CREATE TABLE gamestats.leaderboard_segment (
    board    pg_catalog.regclass NOT NULL,
    segment  pg_catalog.text NOT NULL,
    rows     pg_catalog.int8 NOT NULL,
    PRIMARY KEY (board, segment)
);
COMMENT ON TABLE gamestats.leaderboard_segment IS
    'rows per segment of each segmented leaderboard, rewritten in the transaction of every refresh';

-- Live boards (src/live.c): the table each ranks, the journal of its
-- changes since the last fold, and which fold the board's storage holds.
-- fold_filenode is the board's relfilenode as the last fold left it: a
-- REFRESH MATERIALIZED VIEW that the event triggers of live boards did not
-- see gives the board new storage, and the query functions then refuse to
-- mix it with the journal until the next fold.
CREATE TABLE gamestats.live_config (
    board          pg_catalog.regclass PRIMARY KEY
                   REFERENCES gamestats.leaderboard_config (board) ON DELETE CASCADE,
    source         pg_catalog.regclass NOT NULL UNIQUE,
    journal        pg_catalog.regclass NOT NULL,
    order_index    pg_catalog.name NOT NULL,
    compacted      pg_catalog.regclass NOT NULL,
    sums           pg_catalog.regclass NOT NULL,
    generation     pg_catalog.int8 NOT NULL DEFAULT 0,
    fold_filenode  pg_catalog.oid NOT NULL DEFAULT 0
);
COMMENT ON TABLE gamestats.live_config IS
    'one row per live leaderboard: its source table, its journal of changes since the last fold, and the storage that fold left';

SELECT pg_catalog.pg_extension_config_dump('gamestats.leaderboard_config', '');
SELECT pg_catalog.pg_extension_config_dump('gamestats.live_config', '');
SELECT pg_catalog.pg_extension_config_dump('gamestats.leaderboard_segment', '');

-- The seasons of a board (set_season, src/season.c): its period, its
-- archive <board>_seasons (a table of the partition manager, which keeps its
-- archive_retention) and the start of its current season.  Goes with the
-- board's configuration; the archive stays when the board is dropped.
CREATE TABLE gamestats.leaderboard_season (
    board             pg_catalog.regclass PRIMARY KEY
                      REFERENCES gamestats.leaderboard_config (board) ON DELETE CASCADE,
    period            pg_catalog.interval NOT NULL
                      CHECK (period OPERATOR(pg_catalog.=) ANY (ARRAY['1 hour', '1 day', '1 week', '1 month']::pg_catalog.interval[])),
    archive           pg_catalog.regclass NOT NULL,
    season_start      pg_catalog.timestamptz NOT NULL,
    last_season_start pg_catalog.timestamptz,
    last_rollover_at  pg_catalog.timestamptz
);
COMMENT ON TABLE gamestats.leaderboard_season IS
    'seasons of each seasonal leaderboard: period, archive table, current season, last season archived (written by set_season and rollover)';
SELECT pg_catalog.pg_extension_config_dump('gamestats.leaderboard_season', '');
REVOKE ALL ON gamestats.leaderboard_season FROM PUBLIC;
GRANT SELECT ON gamestats.leaderboard_season TO PUBLIC;

-- Anyone may read the definitions and sizes (readers of a board need them);
-- only the functions below write, as the extension owner, after checking
-- that the caller owns the board.
REVOKE ALL ON gamestats.leaderboard_config, gamestats.leaderboard_segment,
              gamestats.leaderboard_errors, gamestats.live_config FROM PUBLIC;
GRANT SELECT ON gamestats.leaderboard_config, gamestats.leaderboard_segment,
                gamestats.live_config TO PUBLIC;

-- Each function checks that the caller owns the board (create_leaderboard
-- needs CREATE on the target schema, like CREATE MATERIALIZED VIEW), so
-- EXECUTE stays with PUBLIC, as for any function.
CREATE FUNCTION gamestats.create_leaderboard(
    board           pg_catalog.text,
    query           pg_catalog.text,
    player_column   pg_catalog.name DEFAULT 'player_id',
    score_column    pg_catalog.name DEFAULT 'score',
    descending      pg_catalog.bool DEFAULT true,
    tiebreak_column pg_catalog.name DEFAULT NULL,
    segment_column  pg_catalog.name DEFAULT NULL,
    rank_type       pg_catalog.text DEFAULT 'competition')
RETURNS pg_catalog.regclass
LANGUAGE C CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'gamestats_create_leaderboard';
COMMENT ON FUNCTION gamestats.create_leaderboard(pg_catalog.text, pg_catalog.text, pg_catalog.name, pg_catalog.name, pg_catalog.bool, pg_catalog.name, pg_catalog.name, pg_catalog.text) IS
    'create a ranking materialized view over a query giving one row per player (per segment), with its lookup indexes';

CREATE FUNCTION gamestats.refresh_leaderboard(
    board       pg_catalog.regclass,
    strategy    pg_catalog.text DEFAULT 'swap',
    raise_error pg_catalog.bool DEFAULT true)
RETURNS pg_catalog.int8
LANGUAGE C CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'gamestats_refresh_leaderboard';
COMMENT ON FUNCTION gamestats.refresh_leaderboard(pg_catalog.regclass, pg_catalog.text, pg_catalog.bool) IS
    'recompute a leaderboard (swap: build aside and switch storage; concurrently or blocking: PostgreSQL''s REFRESH); returns its rows, or NULL when it failed and raise_error is false';

CREATE FUNCTION gamestats.schedule_refresh(board pg_catalog.regclass, schedule pg_catalog.text)
RETURNS pg_catalog.int8
LANGUAGE C CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'gamestats_schedule_refresh';
COMMENT ON FUNCTION gamestats.schedule_refresh(pg_catalog.regclass, pg_catalog.text) IS
    'schedule a swap refresh of a leaderboard with pg_cron; returns the pg_cron job id';

CREATE FUNCTION gamestats.drop_leaderboard(board pg_catalog.regclass, cascade pg_catalog.bool DEFAULT false)
RETURNS pg_catalog.void
LANGUAGE C CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'gamestats_drop_leaderboard';
COMMENT ON FUNCTION gamestats.drop_leaderboard(pg_catalog.regclass, pg_catalog.bool) IS
    'drop a leaderboard: its materialized view, its configuration and its pg_cron job';

-- Schedule of a pg_cron job, NULL when pg_cron is absent or the job is not
-- visible to the caller (cron.job shows each user their own jobs).
CREATE FUNCTION gamestats.leaderboard_job_schedule(jobid pg_catalog.int8)
RETURNS pg_catalog.text
LANGUAGE plpgsql STRICT STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    result pg_catalog.text;
BEGIN
    IF pg_catalog.to_regclass('cron.job') IS NULL THEN
        RETURN NULL;
    END IF;
    EXECUTE 'SELECT j.schedule FROM cron.job j WHERE j.jobid OPERATOR(pg_catalog.=) $1'
        INTO result USING jobid;
    RETURN result;
END
$$;
COMMENT ON FUNCTION gamestats.leaderboard_job_schedule(pg_catalog.int8) IS
    'cron schedule of a pg_cron job, or NULL without pg_cron';

-- Changes of a live board not yet folded into it (NULL for other boards).
CREATE FUNCTION gamestats.live_pending(board pg_catalog.regclass)
RETURNS pg_catalog.int8
LANGUAGE C STRICT STABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'gamestats_live_pending';
COMMENT ON FUNCTION gamestats.live_pending(pg_catalog.regclass) IS
    'number of changes of a live leaderboard waiting for its next fold (refresh_leaderboard), or NULL for a board that is not live';

CREATE VIEW gamestats.leaderboards AS
SELECT c.board,
       c.player_column,
       c.score_column,
       c.rows,
       c.segments,
       c.last_refresh_at,
       c.last_refresh_ms,
       c.last_strategy,
       -- messages may quote rows of the board's query: only for its readers
       CASE WHEN pg_catalog.has_table_privilege(c.board::pg_catalog.oid, 'SELECT')
                 OR pg_catalog.pg_has_role(r.relowner, 'USAGE')
            THEN e.last_error END AS last_error,
       gamestats.leaderboard_job_schedule(c.jobid) AS schedule,
       c.jobid,
       c.descending,
       c.tiebreak_column,
       c.segment_column,
       c.rank_type,
       l.board IS NOT NULL AS live,
       CASE WHEN l.board IS NOT NULL THEN gamestats.live_pending(c.board) END AS pending_changes,
       l.source,
       CASE WHEN l.board IS NOT NULL
            THEN gamestats.live_pending(c.board) OPERATOR(pg_catalog.>)
                 pg_catalog.current_setting('gamestats.live_fold_threshold')::pg_catalog.int8
       END AS fold_overdue,
       s.period AS season_period,
       s.season_start,
       s.last_season_start
  FROM gamestats.leaderboard_config c
  LEFT JOIN gamestats.live_config l ON l.board OPERATOR(pg_catalog.=) c.board
  LEFT JOIN gamestats.leaderboard_errors e ON e.board OPERATOR(pg_catalog.=) c.board
  LEFT JOIN gamestats.leaderboard_season s ON s.board OPERATOR(pg_catalog.=) c.board
  LEFT JOIN pg_catalog.pg_class r ON r.oid OPERATOR(pg_catalog.=) c.board;
COMMENT ON VIEW gamestats.leaderboards IS
    'every leaderboard with its size, last refresh (time, duration, strategy, error), pg_cron schedule and seasons';
GRANT SELECT ON gamestats.leaderboards TO PUBLIC;
