-- Batched reads: top, around, ranks, rank_for_score, board_size, lookup,
-- each checked against a plain-SQL reference.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_gamestats;

CREATE TABLE scores (
    player_id  bigint PRIMARY KEY,
    score      integer,
    region     text NOT NULL,
    reached_at timestamptz NOT NULL
);
-- 200 players, many ties (scores 0..19), two regions, one NULL score
INSERT INTO scores
SELECT i, (i * 7) % 20, CASE WHEN i % 3 = 0 THEN 'eu' ELSE 'na' END,
       '2026-01-01'::timestamptz + make_interval(mins => (i * 37) % 200)
  FROM generate_series(1, 200) AS i;
UPDATE scores SET score = NULL WHERE player_id = 200;

SELECT gamestats.create_leaderboard('board_comp', 'SELECT player_id, score, region FROM scores');
SELECT gamestats.create_leaderboard('board_dense_asc', 'SELECT player_id, score FROM scores',
                                    descending => false, rank_type => 'dense');
SELECT gamestats.create_leaderboard('board_ord_region', 'SELECT player_id, score, reached_at, region FROM scores',
                                    tiebreak_column => 'reached_at', segment_column => 'region',
                                    rank_type => 'ordinal');

-- top: rank order from from_rank, ties in player order
SELECT * FROM gamestats.top(NULL::board_comp, 5);
SELECT * FROM gamestats.top(NULL::board_comp, 3, from_rank => 11);
SELECT * FROM gamestats.top(NULL::board_comp, 3, from_rank => 12);   -- rank 12 does not exist: next rank
SELECT count(*) FROM gamestats.top(NULL::board_comp, 1000);          -- all 199 scored players
SELECT count(*) FROM gamestats.top(NULL::board_comp, 0);
SELECT count(*) FROM gamestats.top(NULL::board_comp, 10, from_rank => 1000);
-- the whole board read through top() is the board in (rank, player) order
SELECT count(*) AS mismatches FROM (
    SELECT row_number() OVER () AS i, t.* FROM gamestats.top(NULL::board_comp, 1000) t
) a FULL JOIN (
    SELECT row_number() OVER (ORDER BY rank, player_id) AS i, b.* FROM board_comp b
) r USING (i)
WHERE a.player_id IS DISTINCT FROM r.player_id OR a.rank IS DISTINCT FROM r.rank;
SELECT * FROM gamestats.top(NULL::board_ord_region, 4, segment => 'eu');
SELECT * FROM gamestats.top(NULL::board_ord_region, 2, 66, segment => 'eu');

-- around: before rows above, after rows below, in rank order
SELECT * FROM gamestats.around(NULL::board_comp, 100, 2, 2);
SELECT * FROM gamestats.around(NULL::board_comp, 17, 3, 1);    -- first on the board: none above
SELECT * FROM gamestats.around(NULL::board_comp, 160, 1, 5);   -- one from the bottom: one below
SELECT * FROM gamestats.around(NULL::board_comp, 180, 2, 5);   -- last: none below
SELECT * FROM gamestats.around(NULL::board_comp, 200);         -- NULL score: not on the board
SELECT * FROM gamestats.around(NULL::board_comp, 99999);       -- absent
SELECT * FROM gamestats.around(NULL::board_comp, NULL::bigint);
SELECT * FROM gamestats.around(NULL::board_comp, 100, 0, 0);
SELECT * FROM gamestats.around(NULL::board_ord_region, 3, 2, 2, segment => 'eu');
SELECT * FROM gamestats.around(NULL::board_ord_region, 3, 2, 2, segment => 'na');  -- player 3 is in eu
-- around() agrees with a window over the board for every player
SELECT count(*) AS mismatches
  FROM board_comp p,
       LATERAL (SELECT array_agg(a.player_id) AS got FROM gamestats.around(NULL::board_comp, p.player_id, 3, 3) a) g,
       LATERAL (SELECT array_agg(player_id ORDER BY rank, player_id) AS want FROM (
                    SELECT player_id, rank, row_number() OVER (ORDER BY rank, player_id) AS pos FROM board_comp) w,
                    (SELECT pos AS me FROM (SELECT player_id, row_number() OVER (ORDER BY rank, player_id) AS pos FROM board_comp) x
                      WHERE x.player_id = p.player_id) m
                 WHERE pos BETWEEN me - 3 AND me + 3) r
 WHERE g.got IS DISTINCT FROM r.want;

-- ranks: input order, repeated keys each time, missing and NULL skipped
SELECT * FROM gamestats.ranks(NULL::board_comp, ARRAY[17, 4242, 3, NULL, 17, 200]);
SELECT * FROM gamestats.ranks(NULL::board_comp, ARRAY[]::bigint[]);
SELECT * FROM gamestats.ranks(NULL::board_ord_region, ARRAY[3, 4, 6], segment => 'eu');
-- smallint and int keys for a bigint column
SELECT player_id, rank FROM gamestats.ranks(NULL::board_comp, ARRAY[1::smallint, 2::smallint]);
SELECT player_id, rank FROM gamestats.ranks(NULL::board_comp, '{5,6}'::int[]);

-- rank_for_score against references for each rank type, every score -1..21
SELECT count(*) FILTER (WHERE gamestats.rank_for_score(NULL::board_comp, s)
                              <> 1 + (SELECT count(*) FROM board_comp WHERE score > s)) AS comp_mismatches,
       count(*) FILTER (WHERE gamestats.rank_for_score(NULL::board_dense_asc, s)
                              <> 1 + (SELECT count(DISTINCT score) FROM board_dense_asc WHERE score < s)) AS dense_mismatches,
       count(*) FILTER (WHERE gamestats.rank_for_score(NULL::board_ord_region, s, 'na')
                              <> 1 + (SELECT count(*) FROM board_ord_region WHERE region = 'na' AND score > s)) AS ordinal_mismatches
  FROM generate_series(-1, 21) AS s;
SELECT gamestats.rank_for_score(NULL::board_comp, 19) AS best,
       gamestats.rank_for_score(NULL::board_comp, 100) AS above_all,
       gamestats.rank_for_score(NULL::board_comp, -5) AS below_all,
       gamestats.rank_for_score(NULL::board_dense_asc, -5) AS dense_best,
       gamestats.rank_for_score(NULL::board_dense_asc, 100) AS dense_below_all,
       gamestats.rank_for_score(NULL::board_comp, 10.0) AS numeric_score,
       gamestats.rank_for_score(NULL::board_comp, NULL::int) AS null_score;

-- board_size
SELECT gamestats.board_size(NULL::board_comp),
       gamestats.board_size(NULL::board_ord_region, 'eu'),
       gamestats.board_size(NULL::board_ord_region, 'na'),
       gamestats.board_size(NULL::board_ord_region, 'nowhere');

-- lookup: any table with a primary key, or a unique index
SELECT * FROM gamestats.lookup(NULL::scores, ARRAY[3, 1, 3, NULL, 999, 2]);
CREATE TABLE accounts (id uuid PRIMARY KEY, handle text UNIQUE, coins int);
INSERT INTO accounts VALUES
    ('00000000-0000-0000-0000-000000000001', 'alice', 10),
    ('00000000-0000-0000-0000-000000000002', 'bob', 20);
SELECT * FROM gamestats.lookup(NULL::accounts, ARRAY['00000000-0000-0000-0000-000000000002'::uuid,
                                                     '00000000-0000-0000-0000-000000000001'::uuid]);
SELECT * FROM gamestats.lookup(NULL::accounts, ARRAY['bob', 'nobody', 'alice'], key_index => 'accounts_handle_key');
-- lookup() returns what SELECT ... unnest WITH ORDINALITY returns
SELECT count(*) AS mismatches FROM (
    SELECT row_number() OVER () AS i, l.player_id FROM gamestats.lookup(NULL::scores, ARRAY(SELECT (g * 13) % 250 FROM generate_series(1, 300) g)) l
) a FULL JOIN (
    SELECT row_number() OVER (ORDER BY k.o) AS i, s.player_id
      FROM unnest(ARRAY(SELECT (g * 13) % 250 FROM generate_series(1, 300) g)) WITH ORDINALITY AS k(id, o)
      JOIN scores s ON s.player_id = k.id
) r USING (i)
WHERE a.player_id IS DISTINCT FROM r.player_id;

-- limits
SET gamestats.max_batch = 3;
SELECT count(*) FROM gamestats.ranks(NULL::board_comp, ARRAY[1, 2, 3]);
SELECT count(*) FROM gamestats.ranks(NULL::board_comp, ARRAY[1, 2, 3, 4]);
SELECT count(*) FROM gamestats.lookup(NULL::scores, ARRAY[1, 2, 3, 4]);
SELECT count(*) FROM gamestats.top(NULL::board_comp, 4);
RESET gamestats.max_batch;

-- bad input
SELECT * FROM gamestats.top(NULL::board_comp, -1);
SELECT * FROM gamestats.top(NULL::board_comp, 5, 0);
SELECT * FROM gamestats.top(NULL::board_comp, NULL);
SELECT * FROM gamestats.around(NULL::board_comp, 1, -1, 2);
SELECT * FROM gamestats.top(NULL::scores, 5);                          -- not a board
SELECT * FROM gamestats.top(NULL::int, 5);                             -- not a row type
SELECT * FROM gamestats.top(NULL::board_ord_region, 5);                -- segment required
SELECT * FROM gamestats.top(NULL::board_comp, 5, segment => 'eu');     -- no segments
SELECT * FROM gamestats.ranks(NULL::board_comp, ARRAY['x', 'y']);      -- wrong key type
SELECT * FROM gamestats.ranks(NULL::board_comp, ARRAY[[1, 2], [3, 4]]);
SELECT gamestats.rank_for_score(NULL::board_comp, 'abc'::text);
CREATE TABLE nokey (a int);
SELECT * FROM gamestats.lookup(NULL::nokey, ARRAY[1]);
SELECT * FROM gamestats.lookup(NULL::accounts, ARRAY[1], key_index => 'scores_pkey');
CREATE INDEX accounts_coins_idx ON accounts (coins);
SELECT * FROM gamestats.lookup(NULL::accounts, ARRAY[1], key_index => 'accounts_coins_idx');
CREATE VIEW scores_view AS SELECT * FROM scores;
SELECT * FROM gamestats.lookup(NULL::scores_view, ARRAY[1]);
CREATE TABLE events_p (id bigint, at date, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
SELECT * FROM gamestats.lookup(NULL::events_p, ARRAY[1]);
CREATE TABLE twokey (a int, b int, PRIMARY KEY (a, b));
SELECT * FROM gamestats.lookup(NULL::twokey, ARRAY[1]);
CREATE MATERIALIZED VIEW not_populated AS SELECT 1 AS rank WITH NO DATA;
SELECT * FROM gamestats.top(NULL::not_populated, 1);

-- enum and boolean segments (compared without a cast, sized by their ::text
-- form), and a column added later with a default read through lookup()
CREATE TYPE tier AS ENUM ('bronze', 'gold');
CREATE TABLE tiered (player_id bigint PRIMARY KEY, score int, tier tier, pro boolean);
INSERT INTO tiered VALUES (1, 10, 'gold', true), (2, 20, 'gold', false), (3, 5, 'bronze', true);
SELECT gamestats.create_leaderboard('board_tier', 'SELECT player_id, score, tier FROM tiered',
                                    segment_column => 'tier') IS NOT NULL AS made;
SELECT player_id, rank FROM gamestats.top(NULL::board_tier, 5, segment => 'gold');
SELECT player_id, rank FROM gamestats.ranks(NULL::board_tier, ARRAY[1, 3], segment => 'gold');
SELECT gamestats.board_size(NULL::board_tier, 'gold') AS gold_size,
       gamestats.rank_for_score(NULL::board_tier, 0, 'gold') AS below_all_gold;
SELECT gamestats.create_leaderboard('board_pro', 'SELECT player_id, score, pro FROM tiered',
                                    segment_column => 'pro') IS NOT NULL AS made;
SELECT gamestats.board_size(NULL::board_pro, 'true') AS pros,
       gamestats.board_size(NULL::board_pro, 'f') AS others;
ALTER TABLE tiered ADD COLUMN coins int DEFAULT 7;
SELECT * FROM gamestats.lookup(NULL::tiered, ARRAY[3, 1]);
SELECT count(*) AS dropped FROM (SELECT gamestats.drop_leaderboard(b)
                                   FROM unnest(ARRAY['board_tier', 'board_pro']::regclass[]) AS b) s;
