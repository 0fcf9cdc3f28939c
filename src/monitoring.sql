
-- ---------------------------------------------------------------------------
-- Monitoring: one row of numbers per managed table and per leaderboard, for
-- Prometheus (contrib/postgres_exporter/queries.yaml).  Readable by
-- pg_monitor, and by nothing else unless granted: counts, ages and 0/1
-- error flags only, never an error text (which can hold row data).  The
-- views read the extension's configuration tables and the catalogs, and
-- partition bounds through partition_bounds(), which takes no lock: they
-- never lock a game table or board, so they cannot queue behind one.
-- ---------------------------------------------------------------------------

-- Longest gap in seconds between two runs of a pg_cron schedule: 'N seconds',
-- @hourly/@daily/@midnight/@weekly, or five fields whose day of month and
-- month are '*' (minute, hour and day of week may be lists, ranges, steps or
-- day names).  NULL for anything else (monthly schedules, @reboot, typos).
CREATE FUNCTION gamestats.cron_interval(schedule pg_catalog.text)
RETURNS pg_catalog.float8
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    s      pg_catalog.text := pg_catalog.lower(pg_catalog.btrim(schedule));
    f      pg_catalog.text[];
    fld    pg_catalog.text;
    item   pg_catalog.text;
    m      pg_catalog.text[];
    lo     pg_catalog.int4;
    hi     pg_catalog.int4;
    a      pg_catalog.int4;
    b      pg_catalog.int4;
    vals   pg_catalog.int4[];
    mins   pg_catalog.int4[];
    hours  pg_catalog.int4[];
    days   pg_catalog.int4[];
    span   pg_catalog.int4;
    t      pg_catalog.int4[];
    gap    pg_catalog.int4;
    i      pg_catalog.int4;
    k      pg_catalog.int4;
BEGIN
    IF s OPERATOR(pg_catalog.~) '^[0-9]{1,2} +seconds?$' THEN
        RETURN pg_catalog.substring(s, '^[0-9]+')::pg_catalog.float8;
    END IF;
    IF s OPERATOR(pg_catalog.=) '@hourly' THEN RETURN 3600; END IF;
    IF s OPERATOR(pg_catalog.=) ANY (ARRAY['@daily', '@midnight']) THEN RETURN 86400; END IF;
    IF s OPERATOR(pg_catalog.=) '@weekly' THEN RETURN 604800; END IF;

    f := pg_catalog.regexp_split_to_array(s, '\s+');
    IF pg_catalog.array_length(f, 1) OPERATOR(pg_catalog.<>) 5
       OR f[3] OPERATOR(pg_catalog.<>) '*' OR f[4] OPERATOR(pg_catalog.<>) '*' THEN
        RETURN NULL;
    END IF;
    FOR k IN 1..3 LOOP
        IF k OPERATOR(pg_catalog.=) 1 THEN fld := f[1]; hi := 59;
        ELSIF k OPERATOR(pg_catalog.=) 2 THEN fld := f[2]; hi := 23;
        ELSE
            fld := f[5]; hi := 7;
            FOR i IN 0..6 LOOP
                fld := pg_catalog.replace(fld,
                    (ARRAY['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'])[i OPERATOR(pg_catalog.+) 1],
                    i::pg_catalog.text);
            END LOOP;
        END IF;
        lo := 0;
        vals := '{}';
        FOREACH item IN ARRAY pg_catalog.string_to_array(fld, ',') LOOP
            m := pg_catalog.regexp_match(item, '^(\*|[0-9]{1,2})(?:-([0-9]{1,2}))?(?:/([0-9]{1,2}))?$');
            IF m IS NULL OR (m[1] OPERATOR(pg_catalog.=) '*' AND m[2] IS NOT NULL)
               OR m[3]::pg_catalog.int4 OPERATOR(pg_catalog.=) 0 THEN
                RETURN NULL;
            END IF;
            a := CASE WHEN m[1] OPERATOR(pg_catalog.=) '*' THEN lo ELSE m[1]::pg_catalog.int4 END;
            b := CASE WHEN m[2] IS NOT NULL THEN m[2]::pg_catalog.int4
                      WHEN m[1] OPERATOR(pg_catalog.=) '*' OR m[3] IS NOT NULL THEN hi
                      ELSE a END;
            IF a OPERATOR(pg_catalog.>) b OR b OPERATOR(pg_catalog.>) hi THEN
                RETURN NULL;
            END IF;
            vals := vals OPERATOR(pg_catalog.||)
                ARRAY(SELECT pg_catalog.generate_series(a, b, COALESCE(m[3]::pg_catalog.int4, 1)));
        END LOOP;
        IF k OPERATOR(pg_catalog.=) 1 THEN mins := vals;
        ELSIF k OPERATOR(pg_catalog.=) 2 THEN hours := vals;
        ELSE days := vals;
        END IF;
    END LOOP;

    IF f[5] OPERATOR(pg_catalog.=) '*' THEN
        days := ARRAY[0];
        span := 1440;                   -- minutes in a day
    ELSE
        span := 10080;                  -- minutes in a week; 7 is Sunday too
    END IF;
    t := ARRAY(SELECT DISTINCT ((d.d OPERATOR(pg_catalog.%) 7) OPERATOR(pg_catalog.*) 1440)
                               OPERATOR(pg_catalog.+) (h.h OPERATOR(pg_catalog.*) 60)
                               OPERATOR(pg_catalog.+) mi.mi AS at
                 FROM pg_catalog.unnest(days) d(d), pg_catalog.unnest(hours) h(h),
                      pg_catalog.unnest(mins) mi(mi)
                ORDER BY 1);
    gap := t[1] OPERATOR(pg_catalog.+) span OPERATOR(pg_catalog.-) t[pg_catalog.array_length(t, 1)];
    FOR i IN 2..pg_catalog.array_length(t, 1) LOOP
        gap := GREATEST(gap, t[i] OPERATOR(pg_catalog.-) t[i OPERATOR(pg_catalog.-) 1]);
    END LOOP;
    RETURN gap OPERATOR(pg_catalog.*) 60;
END
$$;
COMMENT ON FUNCTION gamestats.cron_interval(pg_catalog.text) IS
    'longest gap in seconds between two runs of a pg_cron schedule, or NULL when it depends on the day of the month or cannot be read';

-- Schedules of the leaderboards' pg_cron jobs.  cron.job shows each user
-- only their own jobs, so this reads it as the extension owner; it returns
-- the schedule text only, for jobs that a leaderboard names.  Bounded by a
-- lock timeout: on timeout it returns no rows rather than wait.
CREATE FUNCTION gamestats.monitoring_job_schedules()
RETURNS TABLE (jobid pg_catalog.int8, schedule pg_catalog.text)
LANGUAGE plpgsql STABLE SECURITY DEFINER PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '100ms'
AS $$
BEGIN
    IF pg_catalog.to_regclass('cron.job') IS NULL THEN
        RETURN;
    END IF;
    RETURN QUERY EXECUTE
        'SELECT j.jobid, j.schedule FROM cron.job j
          WHERE j.jobid OPERATOR(pg_catalog.=) ANY
                (SELECT c.jobid FROM gamestats.leaderboard_config c WHERE c.jobid IS NOT NULL)';
EXCEPTION WHEN lock_not_available THEN
    RETURN;
END
$$;
COMMENT ON FUNCTION gamestats.monitoring_job_schedules() IS
    'pg_cron schedules of the leaderboards'' refresh jobs, whoever owns them (pg_monitor)';
REVOKE ALL ON FUNCTION gamestats.monitoring_job_schedules() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gamestats.monitoring_job_schedules() TO pg_monitor;

CREATE VIEW gamestats.monitoring_tables AS
SELECT n.nspname AS schema,
       r.relname AS table_name,
       pg_catalog.date_part('epoch', b.range_end)
           OPERATOR(pg_catalog.-) pg_catalog.date_part('epoch', pg_catalog.now()) AS runway_seconds,
       c.default_rows,
       b.partitions,
       pg_catalog.date_part('epoch', c.last_run) AS last_run_timestamp_seconds,
       pg_catalog.date_part('epoch', pg_catalog.now())
           OPERATOR(pg_catalog.-) pg_catalog.date_part('epoch', c.last_run) AS last_run_age_seconds,
       pg_catalog.date_part('epoch', c.last_duration) AS last_run_duration_seconds,
       CASE WHEN EXISTS (SELECT FROM gamestats.partition_errors e
                          WHERE e.parent OPERATOR(pg_catalog.=) c.parent)
            THEN 1 ELSE 0 END AS last_run_error
  FROM gamestats.partition_config c
  JOIN pg_catalog.pg_class r ON r.oid OPERATOR(pg_catalog.=) c.parent
  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) r.relnamespace
 CROSS JOIN LATERAL (
       SELECT pg_catalog.count(*) AS partitions,
              CASE WHEN pg_catalog.isfinite(pg_catalog.max(x.range_to))
                   THEN pg_catalog.max(x.range_to) END AS range_end
         FROM gamestats.partition_bounds(c.parent, c.epoch) x
        WHERE NOT x.is_default) b;
COMMENT ON VIEW gamestats.monitoring_tables IS
    'per managed table, for monitoring (pg_monitor): runway, rows in the default partition, partitions, and the last maintenance run (when, how long, failed or not)';

CREATE VIEW gamestats.monitoring_boards AS
SELECT n.nspname AS schema,
       r.relname AS board,
       c.rows,
       pg_catalog.date_part('epoch', c.last_refresh_at) AS last_refresh_timestamp_seconds,
       pg_catalog.date_part('epoch', pg_catalog.now())
           OPERATOR(pg_catalog.-) pg_catalog.date_part('epoch', c.last_refresh_at) AS last_refresh_age_seconds,
       c.last_refresh_ms OPERATOR(pg_catalog./) 1000 AS last_refresh_duration_seconds,
       CASE WHEN EXISTS (SELECT FROM gamestats.leaderboard_errors e
                          WHERE e.board OPERATOR(pg_catalog.=) c.board)
            THEN 1 ELSE 0 END AS last_refresh_error,
       gamestats.cron_interval(j.schedule) AS schedule_interval_seconds,
       gamestats.live_pending(c.board) AS live_pending_changes
  FROM gamestats.leaderboard_config c
  JOIN pg_catalog.pg_class r ON r.oid OPERATOR(pg_catalog.=) c.board
  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) r.relnamespace
  LEFT JOIN gamestats.monitoring_job_schedules() j ON j.jobid OPERATOR(pg_catalog.=) c.jobid;
COMMENT ON VIEW gamestats.monitoring_boards IS
    'per leaderboard, for monitoring (pg_monitor): rows, the last refresh (when, how long), whether the latest refresh failed, the longest gap of its pg_cron schedule, and a live board''s changes waiting for a fold';

REVOKE ALL ON gamestats.monitoring_tables, gamestats.monitoring_boards FROM PUBLIC;
GRANT SELECT ON gamestats.monitoring_tables, gamestats.monitoring_boards TO pg_monitor;
