-- Live leaderboards: ranks equal the window functions over the source in
-- the same snapshot, after every kind of write, before and after folds.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_gamestats;
RESET client_min_messages;

-- four sources, one per combination of rank type, order, tiebreak, segment
CREATE TABLE live_a (player_id int PRIMARY KEY, score int,
                     reached_at timestamptz NOT NULL, note text);
CREATE TABLE live_b (player_id int, region text, score int,
                     reached_at timestamptz NOT NULL DEFAULT '2026-01-01', note text,
                     PRIMARY KEY (region, player_id));
CREATE TABLE live_c (player_id bigint, region text, score float8,
                     reached_at timestamptz NOT NULL,
                     UNIQUE (player_id, region));
CREATE TABLE live_d (player_id int PRIMARY KEY, score numeric,
                     reached_at timestamptz NOT NULL);

SELECT gamestats.create_live_leaderboard('board_a', 'live_a', tiebreak_column => 'reached_at');
SELECT gamestats.create_live_leaderboard('board_b', 'live_b', segment_column => 'region',
                                         rank_type => 'dense');
SELECT gamestats.create_live_leaderboard('board_c', 'live_c', descending => false,
                                         tiebreak_column => 'reached_at',
                                         segment_column => 'region', rank_type => 'ordinal');
SELECT gamestats.create_live_leaderboard('board_d', 'live_d');

-- What a board must say, computed by SQL over its source.
CREATE FUNCTION expected_sql(board regclass) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    c record;
    l record;
    fn text;
BEGIN
    SELECT * INTO c FROM gamestats.leaderboard_config WHERE leaderboard_config.board = expected_sql.board;
    SELECT * INTO l FROM gamestats.live_config WHERE live_config.board = expected_sql.board;
    fn := CASE c.rank_type WHEN 'competition' THEN 'rank' WHEN 'dense' THEN 'dense_rank'
                           ELSE 'row_number' END;
    RETURN format('SELECT %s() OVER (%s ORDER BY %I %s%s%s) AS rank, %I AS player, %s AS segment, %I AS score
                     FROM %s WHERE %I IS NOT NULL AND %I IS NOT NULL AND %I::text <> ''NaN''%s',
        fn,
        CASE WHEN c.segment_column IS NOT NULL THEN format('PARTITION BY %I', c.segment_column) ELSE '' END,
        c.score_column, CASE WHEN c.descending THEN 'DESC' ELSE 'ASC' END,
        CASE WHEN c.tiebreak_column IS NOT NULL THEN format(', %I', c.tiebreak_column) ELSE '' END,
        CASE WHEN c.rank_type = 'ordinal' THEN format(', %I', c.player_column) ELSE '' END,
        c.player_column,
        CASE WHEN c.segment_column IS NOT NULL THEN format('%I::text', c.segment_column) ELSE 'NULL::text' END,
        c.score_column, l.source, c.player_column, c.score_column, c.score_column,
        CASE WHEN c.segment_column IS NOT NULL THEN format(' AND %I IS NOT NULL', c.segment_column) ELSE '' END);
END $$;

-- Compares every live query function with SQL over the source; returns
-- the number of disagreements (0 when exact).
CREATE FUNCTION live_diff(board regclass) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    c record;
    seg text;
    segs text[];
    bad bigint := 0;
    n bigint;
    players text;
    q text := expected_sql(board);
    segarg text;
    s numeric;
BEGIN
    SELECT * INTO c FROM gamestats.leaderboard_config WHERE leaderboard_config.board = live_diff.board;
    EXECUTE format('SELECT array_agg(DISTINCT segment) FROM (%s) e', q) INTO segs;
    IF c.segment_column IS NULL THEN segs := ARRAY[NULL::text]; END IF;
    FOREACH seg IN ARRAY coalesce(segs, ARRAY[]::text[]) LOOP
        segarg := CASE WHEN seg IS NULL THEN 'NULL' ELSE quote_literal(seg) END;
        -- ranks() of every player of the source (and some absent ones)
        EXECUTE format('SELECT string_agg(p::text, '','') FROM (SELECT DISTINCT %I AS p FROM %s) x',
                       c.player_column, (SELECT source FROM gamestats.live_config l WHERE l.board = live_diff.board))
            INTO players;
        EXECUTE format($q$
            SELECT count(*) FROM (
              (SELECT rank, %1$I::text FROM gamestats.ranks(NULL::%2$s, ARRAY[%3$s, -1, -2], segment => %4$s)
               EXCEPT ALL
               SELECT rank, player::text FROM (%5$s) e WHERE segment IS NOT DISTINCT FROM %4$s)
              UNION ALL
              (SELECT rank, player::text FROM (%5$s) e WHERE segment IS NOT DISTINCT FROM %4$s
               EXCEPT ALL
               SELECT rank, %1$I::text FROM gamestats.ranks(NULL::%2$s, ARRAY[%3$s, -1, -2], segment => %4$s))) d$q$,
            c.player_column, board, coalesce(players, '0'), segarg, q) INTO n;
        bad := bad + n;
        -- top(): the first 7 rows, and a page further down
        EXECUTE format($q$
            SELECT count(*) FROM (
              (SELECT rank, %1$I::text FROM gamestats.top(NULL::%2$s, 7, segment => %3$s)
               EXCEPT ALL
               SELECT rank, player::text FROM (SELECT * FROM (%4$s) e WHERE segment IS NOT DISTINCT FROM %3$s
                                               ORDER BY rank, player LIMIT 7) t)
              UNION ALL
              (SELECT rank, %1$I::text FROM gamestats.top(NULL::%2$s, 5, from_rank => 9, segment => %3$s)
               EXCEPT ALL
               SELECT rank, player::text FROM (SELECT * FROM (%4$s) e WHERE segment IS NOT DISTINCT FROM %3$s
                                               AND rank >= 9 ORDER BY rank, player LIMIT 5) t)) d$q$,
            c.player_column, board, segarg, q) INTO n;
        bad := bad + n;
        -- board_size()
        EXECUTE format('SELECT ((SELECT count(*) FROM (%s) e WHERE segment IS NOT DISTINCT FROM %s)
                               <> gamestats.board_size(NULL::%s, segment => %s))::int', q, segarg, board, segarg)
            INTO n;
        bad := bad + n;
        -- rank_for_score() for scores around those on the board
        FOR s IN SELECT generate_series(-2, 22) LOOP
            EXECUTE format($q$
                SELECT (gamestats.rank_for_score(NULL::%1$s, %2$s::%6$s, segment => %3$s) IS DISTINCT FROM
                       CASE '%5$s' WHEN 'dense' THEN
                            1 + (SELECT count(DISTINCT (e.score, t.tb)) FROM (%4$s) e
                                   JOIN LATERAL (SELECT NULL::int AS tb) t ON true
                                  WHERE segment IS NOT DISTINCT FROM %3$s
                                    AND CASE WHEN %7$L::boolean THEN e.score > %2$s ELSE e.score < %2$s END)
                       ELSE 1 + (SELECT count(*) FROM (%4$s) e WHERE segment IS NOT DISTINCT FROM %3$s
                                    AND CASE WHEN %7$L::boolean THEN e.score > %2$s ELSE e.score < %2$s END) END)::int$q$,
                board, s, segarg, q, c.rank_type,
                format_type((SELECT atttypid FROM pg_attribute WHERE attrelid = board AND attname = c.score_column), NULL),
                c.descending) INTO n;
            bad := bad + n;
        END LOOP;
    END LOOP;
    RETURN bad;
END $$;

-- around(): each player's window is the rows next to them in rank order
CREATE FUNCTION around_diff(board regclass, who text, seg text DEFAULT NULL) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    c record;
    n bigint;
    q text := expected_sql(board);
    segarg text := CASE WHEN seg IS NULL THEN 'NULL' ELSE quote_literal(seg) END;
BEGIN
    SELECT * INTO c FROM gamestats.leaderboard_config WHERE leaderboard_config.board = around_diff.board;
    EXECUTE format($q$
        WITH e AS (SELECT *, row_number() OVER (ORDER BY rank, score %5$s, player) AS pos
                     FROM (%1$s) x WHERE segment IS NOT DISTINCT FROM %4$s),
             me AS (SELECT pos FROM e WHERE player::text = %3$L)
        SELECT count(*) FROM (
          (SELECT rank, %6$I::text FROM gamestats.around(NULL::%2$s, %3$L, 2, 3, segment => %4$s)
           EXCEPT ALL
           SELECT rank, player::text FROM e, me WHERE e.pos BETWEEN me.pos - 2 AND me.pos + 3)
          UNION ALL
          (SELECT rank, player::text FROM e, me WHERE e.pos BETWEEN me.pos - 2 AND me.pos + 3
           EXCEPT ALL
           SELECT rank, %6$I::text FROM gamestats.around(NULL::%2$s, %3$L, 2, 3, segment => %4$s))) d$q$,
        q, board, who, segarg, CASE WHEN c.descending THEN 'DESC' ELSE 'ASC' END, c.player_column) INTO n;
    RETURN n;
END $$;

-- A batch of mixed writes, the same on every source (setseed: repeatable)
CREATE FUNCTION churn(src regclass, segmented boolean, rounds int) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    i int;
    p int;
    seg text;
BEGIN
    FOR i IN 1 .. rounds LOOP
        p := 1 + floor(random() * 40)::int;
        seg := CASE WHEN random() < 0.5 THEN 'eu' ELSE 'us' END;
        CASE floor(random() * 5)::int
        WHEN 0 THEN  -- insert or replace
            EXECUTE format('DELETE FROM %s WHERE player_id = $1 %s', src,
                           CASE WHEN segmented THEN 'AND region = $2' ELSE '' END) USING p, seg;
            EXECUTE format('INSERT INTO %s (player_id, %s score, reached_at) VALUES ($1, %s $3, $4)', src,
                           CASE WHEN segmented THEN 'region,' ELSE '' END,
                           CASE WHEN segmented THEN '$2,' ELSE '' END)
                USING p, seg, floor(random() * 20)::int, timestamptz '2026-01-01' + (floor(random() * 5) || ' min')::interval;
        WHEN 1 THEN  -- score moves
            EXECUTE format('UPDATE %s SET score = score + $2 WHERE player_id = $1', src)
                USING p, floor(random() * 7)::int - 3;
        WHEN 2 THEN  -- tiebreak or other columns only
            EXECUTE format('UPDATE %s SET reached_at = reached_at + interval ''1 min'' WHERE player_id %% 7 = $1 %% 7', src)
                USING p;
        WHEN 3 THEN
            EXECUTE format('DELETE FROM %s WHERE player_id = $1', src) USING p;
        ELSE         -- unranked and back
            EXECUTE format('UPDATE %s SET score = CASE WHEN score IS NULL THEN $2 ELSE NULL END WHERE player_id = $1', src)
                USING p, floor(random() * 20)::int;
        END CASE;
    END LOOP;
END $$;

SELECT setseed(0.42);
SELECT churn('live_a', false, 120), churn('live_b', true, 120),
       churn('live_c', true, 120), churn('live_d', false, 120);
SELECT b, live_diff(b) FROM unnest('{board_a,board_b,board_c,board_d}'::regclass[]) b;
SELECT sum(around_diff('board_a', p::text)) AS a,
       sum(around_diff('board_b', p::text, 'eu')) AS b,
       sum(around_diff('board_c', p::text, 'us')) AS c,
       sum(around_diff('board_d', p::text)) AS d
  FROM generate_series(1, 40) p;

-- fold, then more writes on top of the fold
SELECT gamestats.refresh_leaderboard(b) IS NOT NULL FROM unnest('{board_a,board_b,board_c,board_d}'::regclass[]) b;
SELECT board, live, pending_changes, fold_overdue FROM gamestats.leaderboards WHERE live ORDER BY board::text;
SELECT churn('live_a', false, 150), churn('live_b', true, 150),
       churn('live_c', true, 150), churn('live_d', false, 150);
SELECT b, live_diff(b) FROM unnest('{board_a,board_b,board_c,board_d}'::regclass[]) b;
SELECT sum(around_diff('board_a', p::text)) AS a,
       sum(around_diff('board_b', p::text, 'us')) AS b,
       sum(around_diff('board_c', p::text, 'eu')) AS c,
       sum(around_diff('board_d', p::text)) AS d
  FROM generate_series(1, 40) p;
-- compacted changes, then more changes on top: counted from both
SELECT gamestats.refresh_leaderboard(b, 'compact') > 0 FROM unnest('{board_a,board_c,board_d}'::regclass[]) b;
SELECT b, live_diff(b) FROM unnest('{board_a,board_c,board_d}'::regclass[]) b;
SELECT churn('live_a', false, 100), churn('live_c', true, 100), churn('live_d', false, 100);
SELECT gamestats.refresh_leaderboard('board_a', 'compact') > 0;
SELECT churn('live_a', false, 60), churn('live_c', true, 60), churn('live_d', false, 60);
SELECT b, live_diff(b) FROM unnest('{board_a,board_c,board_d}'::regclass[]) b;
SELECT sum(around_diff('board_a', p::text)) AS a,
       sum(around_diff('board_c', p::text, 'eu')) AS c,
       sum(around_diff('board_d', p::text)) AS d
  FROM generate_series(1, 40) p;
-- many compacted entries: running sums every 32 of them
INSERT INTO live_a SELECT g, g % 20, '2026-01-01'::timestamptz + (g % 3) * interval '1 min', NULL
  FROM generate_series(100, 400) g;
SELECT gamestats.refresh_leaderboard('board_a', 'compact');
SELECT count(*) AS sums FROM board_a_changes_sums;
UPDATE live_a SET score = score + 3 WHERE player_id % 4 = 0 AND player_id >= 100;
DELETE FROM live_a WHERE player_id % 9 = 0 AND player_id >= 100;
SELECT gamestats.refresh_leaderboard('board_a', 'compact');
UPDATE live_a SET score = score - 1 WHERE player_id % 5 = 0 AND player_id >= 100;
SELECT live_diff('board_a');
SELECT sum(around_diff('board_a', p::text)) FROM generate_series(100, 400, 7) p;
-- what monitoring sees: changes waiting for the fold, compacted or not
SELECT m.board, m.live_pending_changes = l.pending_changes AS same, m.live_pending_changes > 0 AS waiting
  FROM gamestats.monitoring_boards m JOIN gamestats.leaderboards l ON l.board::text = m.board
 WHERE l.live ORDER BY 1;
SELECT gamestats.refresh_leaderboard('board_b', 'compact');
-- the board's own rows are the last fold, like any materialized view
SELECT (SELECT count(*) FROM board_a) = (SELECT rows FROM gamestats.leaderboards WHERE board = 'board_a'::regclass) AS fold_rows;

-- a transaction's own uncommitted writes are in its ranks; a rollback takes them away
BEGIN;
INSERT INTO live_a VALUES (1000, 999, '2026-01-01', 'new');
SELECT rank, player_id, score FROM gamestats.ranks(NULL::board_a, ARRAY[1000]);
SELECT live_diff('board_a');
ROLLBACK;
SELECT count(*) FROM gamestats.ranks(NULL::board_a, ARRAY[1000]);
SELECT live_diff('board_a');

-- COPY, MERGE and NaN
COPY live_c (player_id, region, score, reached_at) FROM stdin;
101	eu	3.5	2026-01-01 00:00:00+00
102	eu	NaN	2026-01-01 00:00:00+00
103	us	-1	2026-01-01 00:00:00+00
\.
MERGE INTO live_d t USING (VALUES (1, 50), (77, 60)) AS v(p, s) ON t.player_id = v.p
 WHEN MATCHED THEN UPDATE SET score = v.s
 WHEN NOT MATCHED THEN INSERT VALUES (v.p, v.s, '2026-01-01');
SELECT live_diff('board_c'), live_diff('board_d');
SELECT count(*) FROM gamestats.ranks(NULL::board_c, ARRAY[102], segment => 'eu');

-- submit_score: operators, one round trip, the row with its live rank
SELECT rank, player_id, score, reached_at FROM gamestats.submit_score(NULL::board_a, 500, 30, at => '2026-03-01');
SELECT rank, player_id, score, reached_at FROM gamestats.submit_score(NULL::board_a, 500, 20, at => '2026-03-02');  -- not better: kept
SELECT rank, player_id, score, reached_at FROM gamestats.submit_score(NULL::board_a, 500, 31, at => '2026-03-03');  -- better: moves the tiebreak
SELECT rank, player_id, score, reached_at FROM gamestats.submit_score(NULL::board_a, 500, 5, op => 'incr', at => '2026-03-04');
SELECT rank, player_id, score, reached_at FROM gamestats.submit_score(NULL::board_a, 500, 6, op => 'decr', at => '2026-03-05');
SELECT rank, player_id, score, reached_at FROM gamestats.submit_score(NULL::board_a, 500, 1, op => 'set', at => '2026-03-06');
SELECT rank, player_id, region, score FROM gamestats.submit_score(NULL::board_b, 7, 100, segment => 'eu');
SELECT rank, player_id, region, score FROM gamestats.submit_score(NULL::board_c, 7, 0.5, segment => 'asia');
SELECT live_diff('board_a'), live_diff('board_b'), live_diff('board_c');
-- 'best' on a lower-is-better board keeps the lower time
SELECT score FROM gamestats.submit_score(NULL::board_c, 7, 0.7, segment => 'asia');
SELECT score FROM gamestats.submit_score(NULL::board_c, 7, 0.2, segment => 'asia');

-- TRUNCATE folds at once
TRUNCATE live_d;
SELECT gamestats.board_size(NULL::board_d), live_diff('board_d'), (SELECT count(*) FROM board_d);
INSERT INTO live_d VALUES (1, 5, '2026-01-01'), (2, 6, '2026-01-01');
SELECT rank, player_id FROM gamestats.top(NULL::board_d);

-- a REFRESH MATERIALIZED VIEW of a live board (by hand, or pg_restore's) is a fold
INSERT INTO live_d VALUES (3, 9, '2026-01-01');
REFRESH MATERIALIZED VIEW board_d;
SELECT rank, player_id FROM gamestats.top(NULL::board_d);
SELECT live_diff('board_d'), gamestats.live_pending('board_d');
UPDATE live_d SET score = 1 WHERE player_id = 3;
REFRESH MATERIALIZED VIEW CONCURRENTLY board_d;
SELECT live_diff('board_d'), gamestats.live_pending('board_d');
SELECT rank, player_id FROM gamestats.top(NULL::board_d);
-- one the event triggers do not see (replication role) is refused until a fold
SET session_replication_role = replica;
REFRESH MATERIALIZED VIEW board_d;
RESET session_replication_role;
SELECT * FROM gamestats.top(NULL::board_d);
SELECT gamestats.refresh_leaderboard('board_d');
SELECT rank, player_id FROM gamestats.top(NULL::board_d);
-- so do disabled triggers
ALTER TABLE live_d DISABLE TRIGGER gamestats_live;
SELECT * FROM gamestats.top(NULL::board_d);
ALTER TABLE live_d ENABLE ALWAYS TRIGGER gamestats_live;
SELECT count(*) FROM gamestats.top(NULL::board_d);

-- in a FOR ALL TABLES publication the journal tables are published too:
-- compactions and folds still delete from them
SET client_min_messages = error;
CREATE PUBLICATION lv_allpub FOR ALL TABLES;
RESET client_min_messages;
UPDATE live_a SET score = score + 1 WHERE player_id % 3 = 0;
SELECT gamestats.refresh_leaderboard('board_a', 'compact') > 0 AS compacted;
SELECT gamestats.refresh_leaderboard('board_a') > 0 AS folded;
SELECT live_diff('board_a');
DROP PUBLICATION lv_allpub;

-- bad input
CREATE TABLE lv_nokey (player_id int, score int);
SELECT gamestats.create_live_leaderboard('bad1', 'lv_nokey');
CREATE TABLE lv_nulltb (player_id int PRIMARY KEY, score int, reached_at timestamptz);
SELECT gamestats.create_live_leaderboard('bad2', 'lv_nulltb', tiebreak_column => 'reached_at');
CREATE TABLE lv_pointscore (player_id int PRIMARY KEY, score point);
SELECT gamestats.create_live_leaderboard('bad3', 'lv_pointscore');
SELECT gamestats.create_live_leaderboard('bad4', 'live_a');
CREATE TABLE lv_textscore (player_id int PRIMARY KEY, score text);
SELECT gamestats.create_live_leaderboard('bad5', 'lv_textscore', score_column => 'nope');
SELECT gamestats.create_live_leaderboard('bad6', 'board_a');
SELECT gamestats.create_live_leaderboard('board_t', 'lv_textscore');
SELECT * FROM gamestats.submit_score(NULL::board_t, 1, 'abc', op => 'incr');
-- what the triggers and the reads refuse: an index the journal cannot keep,
-- an order index dropped by hand, a ranked column renamed away
CREATE INDEX lv_bad_idx ON board_t_changes ((score || 'x'));
INSERT INTO lv_textscore VALUES (1, 'a');
DROP INDEX lv_bad_idx;
INSERT INTO lv_textscore VALUES (1, 'a');
SELECT rank, player_id, score FROM gamestats.top(NULL::board_t);
ALTER TABLE lv_textscore RENAME COLUMN score TO points;
INSERT INTO lv_textscore VALUES (2, 'b');
ALTER TABLE lv_textscore RENAME COLUMN points TO score;
INSERT INTO lv_textscore VALUES (2, 'b');
DROP INDEX lv_textscore_gamestats_order;
SELECT * FROM gamestats.top(NULL::board_t);
SELECT * FROM gamestats.submit_score(NULL::board_a, 1, 10, op => 'max');
SELECT * FROM gamestats.submit_score(NULL::board_a, NULL::int, 10);
SELECT * FROM gamestats.submit_score(NULL::board_a, 1, NULL::int);
SELECT * FROM gamestats.submit_score(NULL::board_b, 1, 10);
SELECT gamestats.create_leaderboard('board_plain', 'SELECT 1 AS player_id, 2 AS score');
SELECT * FROM gamestats.submit_score(NULL::board_plain, 1, 10);
SELECT gamestats.refresh_leaderboard('board_a', 'concurrently');
SELECT gamestats.refresh_leaderboard('board_plain', 'compact');

-- dropping the board takes its journal, index and triggers with it
SELECT gamestats.drop_leaderboard('board_d');
SELECT count(*) FROM pg_trigger WHERE tgrelid = 'live_d'::regclass AND NOT tgisinternal;
SELECT count(*) FROM pg_class WHERE relname IN ('board_d_changes', 'live_d_gamestats_order');
INSERT INTO live_d VALUES (3, 7, '2026-01-01');
