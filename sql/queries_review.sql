-- Boards and query functions: what the v0.1 review found (issue 10).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_gamestats;

-- Segments are kept and looked up in one text form whatever the session's
-- DateStyle, TimeZone, IntervalStyle or extra_float_digits.
CREATE TABLE rv_scores (player_id bigint PRIMARY KEY, score int, season timestamptz,
                        ratio float8, span interval, amount numeric);
INSERT INTO rv_scores
SELECT i, i, '2026-01-01 00:00:00+00'::timestamptz + (i % 2) * interval '1 day',
       CASE WHEN i % 2 = 0 THEN 0.1::float8 + 0.2 ELSE 0.3 END,
       CASE WHEN i % 2 = 0 THEN interval '1 day' ELSE interval '36 hours' END,
       CASE WHEN i % 2 = 0 THEN 1.50 ELSE 2 END
  FROM generate_series(1, 10) i;
SET TimeZone = 'America/New_York';
SET DateStyle = 'SQL, DMY';
SET IntervalStyle = 'sql_standard';
SET extra_float_digits = 0;
SELECT gamestats.create_leaderboard('rv_by_season', 'SELECT player_id, score, season FROM rv_scores',
                                    segment_column => 'season') IS NOT NULL AS made;
-- two float segments print alike with extra_float_digits = 0: both are kept
SELECT gamestats.create_leaderboard('rv_by_ratio', 'SELECT player_id, score, ratio FROM rv_scores',
                                    segment_column => 'ratio') IS NOT NULL AS made;
SELECT gamestats.create_leaderboard('rv_by_span', 'SELECT player_id, score, span FROM rv_scores',
                                    segment_column => 'span') IS NOT NULL AS made;
SELECT gamestats.create_leaderboard('rv_by_amount', 'SELECT player_id, score, amount FROM rv_scores',
                                    segment_column => 'amount') IS NOT NULL AS made;
SELECT board, segment, rows FROM gamestats.leaderboard_segment
 WHERE board::text LIKE 'rv\_%' ORDER BY board::text, segment;
SELECT gamestats.board_size(NULL::rv_by_season, '2025-12-31 19:00:00-05') AS season1,
       gamestats.board_size(NULL::rv_by_season, '02/01/2026 00:00:00 UTC') AS season2,
       gamestats.board_size(NULL::rv_by_ratio, '0.3') AS ratio_03,
       gamestats.board_size(NULL::rv_by_ratio, '0.30000000000000004') AS ratio_sum,
       gamestats.board_size(NULL::rv_by_span, '1 day') AS span_day,
       gamestats.board_size(NULL::rv_by_span, '24:00:00') AS span_24h,
       gamestats.board_size(NULL::rv_by_amount, '1.5') AS amount_15,
       gamestats.board_size(NULL::rv_by_amount, '2.000') AS amount_2;
-- rank_for_score below everyone counts the segment's players
SELECT gamestats.rank_for_score(NULL::rv_by_season, -1, '2026-01-01 00:00:00+00') AS below_all;
RESET TimeZone;
RESET DateStyle;
RESET IntervalStyle;
SET extra_float_digits = 3;
SELECT gamestats.board_size(NULL::rv_by_season, '2026-01-01 00:00:00+00') AS season1,
       gamestats.board_size(NULL::rv_by_ratio, '0.3') AS ratio_03,
       gamestats.board_size(NULL::rv_by_span, '1 day 12:00:00') AS span_36h;
RESET extra_float_digits;
-- a segment that is no value of the column's type is an empty segment
SELECT gamestats.board_size(NULL::rv_by_season, 'someday') AS size,
       gamestats.rank_for_score(NULL::rv_by_season, 5, 'someday') AS rank,
       (SELECT count(*) FROM gamestats.top(NULL::rv_by_season, 5, segment => 'someday')) AS top,
       (SELECT count(*) FROM gamestats.ranks(NULL::rv_by_season, ARRAY[1], segment => 'someday')) AS ranks,
       (SELECT count(*) FROM gamestats.around(NULL::rv_by_season, 1, segment => 'someday')) AS around;
CREATE TYPE rv_tier AS ENUM ('bronze', 'gold');
CREATE TABLE rv_tiered (player_id bigint PRIMARY KEY, score int, tier rv_tier, pro boolean);
INSERT INTO rv_tiered VALUES (1, 10, 'gold', true), (2, 20, 'gold', false), (3, 5, 'bronze', true);
SELECT gamestats.create_leaderboard('rv_by_tier', 'SELECT player_id, score, tier FROM rv_tiered',
                                    segment_column => 'tier') IS NOT NULL AS made;
SELECT gamestats.create_leaderboard('rv_by_pro', 'SELECT player_id, score, pro FROM rv_tiered',
                                    segment_column => 'pro') IS NOT NULL AS made;
SELECT gamestats.board_size(NULL::rv_by_tier, 'platinum') AS platinum,
       gamestats.board_size(NULL::rv_by_pro, 'maybe') AS maybe,
       (SELECT count(*) FROM gamestats.top(NULL::rv_by_tier, 5, segment => 'platinum')) AS top_platinum,
       gamestats.board_size(NULL::rv_by_tier, 'gold') AS gold;

-- NaN scores are left out like NULL ones; rank_for_score(NaN) is NULL
CREATE TABLE rv_float (player_id int PRIMARY KEY, f float8, n numeric, r real);
INSERT INTO rv_float VALUES (1, 'NaN', 'NaN', 'NaN'), (2, 'Infinity', 100, 'Infinity'),
                            (3, 5, 5, 5), (4, NULL, NULL, NULL), (5, '-Infinity', -1, '-Infinity');
SELECT gamestats.create_leaderboard('rv_f8', 'SELECT player_id, f AS score FROM rv_float') IS NOT NULL AS made;
SELECT gamestats.create_leaderboard('rv_num', 'SELECT player_id, n AS score FROM rv_float') IS NOT NULL AS made;
SELECT gamestats.create_leaderboard('rv_f4', 'SELECT player_id, r AS score FROM rv_float',
                                    descending => false) IS NOT NULL AS made;
SELECT * FROM gamestats.top(NULL::rv_f8, 10);
SELECT * FROM gamestats.top(NULL::rv_num, 10);
SELECT * FROM gamestats.top(NULL::rv_f4, 10);
SELECT gamestats.board_size(NULL::rv_f8) AS f8_size, gamestats.board_size(NULL::rv_num) AS num_size,
       gamestats.rank_for_score(NULL::rv_f8, 'NaN'::float8) AS f8_nan,
       gamestats.rank_for_score(NULL::rv_num, 'NaN'::numeric) AS num_nan,
       gamestats.rank_for_score(NULL::rv_f4, 'NaN'::real) AS f4_nan,
       gamestats.rank_for_score(NULL::rv_f8, 'Infinity'::float8) AS f8_inf;

-- the query functions use only indexes in the order they rely on
CREATE TABLE rv_src (player_id int, score int);
INSERT INTO rv_src SELECT i, i * 10 FROM generate_series(1, 5) i;
SELECT gamestats.create_leaderboard('rv_idx', 'SELECT player_id, score FROM rv_src') IS NOT NULL AS made;
DROP INDEX rv_idx_rank_idx;
CREATE INDEX rv_idx_rank_desc ON rv_idx (rank DESC, player_id);
SELECT player_id, rank FROM gamestats.top(NULL::rv_idx, 2);
DROP INDEX rv_idx_rank_desc;
CREATE INDEX rv_idx_rank_nulls ON rv_idx (rank NULLS FIRST, player_id);
SELECT player_id, rank FROM gamestats.top(NULL::rv_idx, 2);
DROP INDEX rv_idx_rank_nulls;
CREATE INDEX rv_idx_rank ON rv_idx (rank, player_id);
SELECT player_id, rank FROM gamestats.top(NULL::rv_idx, 2);
-- a player index that is not unique (a duplicate player then refreshes in)
DROP INDEX rv_idx_player_key;
CREATE INDEX rv_idx_player ON rv_idx (player_id);
SELECT player_id, rank FROM gamestats.ranks(NULL::rv_idx, ARRAY[3]);
DROP INDEX rv_idx_player;
CREATE UNIQUE INDEX rv_idx_player_key ON rv_idx (player_id);
SELECT player_id, rank FROM gamestats.ranks(NULL::rv_idx, ARRAY[3]);
-- a text player under another operator class or collation
CREATE TABLE rv_named (player text, score int);
INSERT INTO rv_named VALUES ('b', 1), ('a', 2), ('B', 3);
SELECT gamestats.create_leaderboard('rv_names', 'SELECT player, score FROM rv_named',
                                    player_column => 'player') IS NOT NULL AS made;
DROP INDEX rv_names_rank_idx;
CREATE INDEX rv_names_rank_pattern ON rv_names (rank, player text_pattern_ops);
SELECT player, rank FROM gamestats.top(NULL::rv_names, 3);
DROP INDEX rv_names_rank_pattern;
CREATE INDEX rv_names_rank_ucs ON rv_names (rank, player COLLATE "POSIX");
SELECT player, rank FROM gamestats.top(NULL::rv_names, 3);
DROP INDEX rv_names_rank_ucs;
CREATE INDEX rv_names_rank_idx ON rv_names (rank, player);
SELECT player, rank FROM gamestats.top(NULL::rv_names, 3);

-- a unique index the owner added is reported as itself, not as a duplicate player
CREATE UNIQUE INDEX rv_idx_unique_score ON rv_idx (score);
UPDATE rv_src SET score = 10 WHERE player_id = 2;
DO $$
DECLARE st text; msg text; det text; hnt text; sch text; tbl text; con text;
BEGIN
    PERFORM gamestats.refresh_leaderboard('rv_idx');
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL,
        hnt = PG_EXCEPTION_HINT, sch = SCHEMA_NAME, tbl = TABLE_NAME, con = CONSTRAINT_NAME;
    RAISE WARNING '% %', st, msg;
    RAISE WARNING 'detail: %', det;
    RAISE WARNING 'hint: %', hnt;
    RAISE WARNING 'schema %, table %, constraint %', sch, tbl, con;
END $$;
DROP INDEX rv_idx_unique_score;
SELECT gamestats.refresh_leaderboard('rv_idx');
-- a duplicate player is still reported as one
INSERT INTO rv_src VALUES (1, 1);
SELECT gamestats.refresh_leaderboard('rv_idx');
DELETE FROM rv_src WHERE score = 1;

-- a renamed column: refresh and readers say what to rename back
ALTER MATERIALIZED VIEW rv_by_tier RENAME COLUMN tier TO level;
SELECT gamestats.refresh_leaderboard('rv_by_tier');
SELECT * FROM gamestats.top(NULL::rv_by_tier, 1, segment => 'gold');
ALTER MATERIALIZED VIEW rv_by_tier RENAME COLUMN level TO tier;
SELECT gamestats.refresh_leaderboard('rv_by_tier');
SELECT player_id, rank FROM gamestats.top(NULL::rv_by_tier, 1, segment => 'gold');

-- rows returned keep no TOAST pointers: a cursor over top() outlives a swap
-- refresh of the board in the same transaction
CREATE TABLE rv_wide (player_id int, score int, bio text);
INSERT INTO rv_wide
SELECT i, i, (SELECT string_agg(md5((i * 1000 + j)::text), '') FROM generate_series(1, 100) j)
  FROM generate_series(1, 5) i;
SELECT gamestats.create_leaderboard('rv_wide_board', 'SELECT player_id, score, bio FROM rv_wide') IS NOT NULL AS made;
CREATE TABLE rv_bio_sums AS SELECT player_id, md5(bio) AS sum FROM rv_wide;
BEGIN;
DECLARE rv_cur CURSOR FOR
    SELECT t.player_id, md5(t.bio) = s.sum AS same_bio
      FROM gamestats.top(NULL::rv_wide_board, 5) t JOIN rv_bio_sums s USING (player_id);
FETCH 1 FROM rv_cur;
UPDATE rv_wide SET bio = 'short';
SELECT gamestats.refresh_leaderboard('rv_wide_board');
FETCH ALL FROM rv_cur;
COMMIT;
-- lookup() rows outlive a TRUNCATE of the table in the same transaction
CREATE TABLE rv_docs (id int PRIMARY KEY, doc text);
INSERT INTO rv_docs
SELECT i, (SELECT string_agg(md5((i * 1000 + j)::text), '') FROM generate_series(1, 100) j)
  FROM generate_series(1, 3) i;
CREATE TABLE rv_doc_sums AS SELECT id, md5(doc) AS sum FROM rv_docs;
BEGIN;
DECLARE rv_cur3 CURSOR FOR
    SELECT d.id, md5(d.doc) = s.sum AS same_doc
      FROM gamestats.lookup(NULL::rv_docs, ARRAY[1, 2, 3]) d JOIN rv_doc_sums s USING (id);
FETCH 1 FROM rv_cur3;
TRUNCATE rv_docs;
FETCH ALL FROM rv_cur3;
COMMIT;

-- a swap refresh leaves the board's TOAST table without relrewrite
SELECT t.relrewrite AS toast_relrewrite
  FROM pg_class b JOIN pg_class t ON t.oid = b.reltoastrelid
 WHERE b.oid = 'rv_wide_board'::regclass;

-- char(n) keys compare as SQL's = does
CREATE TABLE rv_chars (code char(4) PRIMARY KEY, v int);
INSERT INTO rv_chars VALUES ('ab', 1), ('abcd', 2);
SELECT k, (SELECT v FROM rv_chars WHERE code = k) AS sql,
       (SELECT v FROM gamestats.lookup(NULL::rv_chars, ARRAY[k])) AS lookup
  FROM unnest(ARRAY['ab', 'ab ', 'ab  ', 'abcd', 'abcd ']::text[]) AS k;
SELECT k, (SELECT v FROM rv_chars WHERE code = k) AS sql,
       (SELECT v FROM gamestats.lookup(NULL::rv_chars, ARRAY[k])) AS lookup
  FROM unnest(ARRAY['ab', 'ab ', 'ab  ']::varchar[]) AS k;
SELECT k, (SELECT v FROM rv_chars WHERE code = k) AS sql,
       (SELECT v FROM gamestats.lookup(NULL::rv_chars, ARRAY[k])) AS lookup
  FROM unnest(ARRAY['ab', 'ab ', 'ab  ']::char(4)[]) AS k;

-- error messages
SELECT * FROM gamestats.lookup(NULL::rv_chars, ARRAY['ab'], key_index => 0);
SELECT gamestats.create_leaderboard('my board', 'SELECT player_id, score FROM rv_src');
SELECT gamestats.create_leaderboard('a.b.c', 'SELECT player_id, score FROM rv_src');
SELECT gamestats.create_leaderboard(repeat('x', 70), 'SELECT player_id, score FROM rv_src');
SELECT gamestats.create_leaderboard('"' || repeat('y', 64) || '"', 'SELECT player_id, score FROM rv_src');
SELECT gamestats.create_leaderboard(repeat('z', 63), 'SELECT player_id, score FROM rv_src')::text = repeat('z', 63) AS made_63;
SELECT gamestats.create_leaderboard('"My Board"', 'SELECT player_id, score FROM rv_src') AS made;
-- errors in the query point into the query's text
SELECT gamestats.create_leaderboard('rv_bad',
    'SELECT player_id, score
       FROM rv_src WHERE');
SELECT gamestats.create_leaderboard('rv_bad', 'SELECT player_id, scor FROM rv_src');

SELECT count(*) AS dropped
  FROM (SELECT gamestats.drop_leaderboard(board) FROM gamestats.leaderboards
         WHERE board::text LIKE 'rv\_%' OR board::text IN ('"My Board"', repeat('z', 63))) d;
DROP TABLE rv_scores, rv_tiered, rv_float, rv_src, rv_named, rv_wide, rv_bio_sums,
           rv_docs, rv_doc_sums, rv_chars;
DROP TYPE rv_tier;
