-- Live leaderboards (issue 12): a live arena board over one row per
-- player, a small loop of score submissions, and one player's rank moving
-- with each, at once; then a compaction and a fold.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;

CREATE TABLE arena_scores (
    player_id  bigint PRIMARY KEY,
    score      int NOT NULL,
    reached_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO arena_scores
SELECT player_id, rating, created_at FROM players;
SELECT gamestats.create_live_leaderboard('arena', 'arena_scores',
                                         tiebreak_column => 'reached_at');

\echo
\echo 1. the arena top 5, live
SELECT rank, player_id, score FROM gamestats.top(NULL::arena, 5);

\echo
\echo 2. player 4242 posts scores: each call returns the new rank at once
SELECT rank, player_id, score FROM gamestats.submit_score(NULL::arena, 4242, 1500, op => 'set');
SELECT rank, player_id, score FROM gamestats.submit_score(NULL::arena, 4242, 900);
SELECT rank, player_id, score FROM gamestats.submit_score(NULL::arena, 4242, 1200, op => 'incr');
SELECT rank, player_id, score FROM gamestats.submit_score(NULL::arena, 4242, 5000);

\echo
\echo 3. a loop of 200 submissions by random players, then 4242 and its neighbours
SELECT count(*) AS submitted
  FROM generate_series(1, 200) g,
       LATERAL gamestats.submit_score(NULL::arena, 1 + (hashint8(g) & 65535) % :players,
                                      (hashint8(g * 7) & 8191)::int) s;
SELECT rank, player_id, score FROM gamestats.around(NULL::arena, 4242, 2, 2);

\echo
\echo 4. what waits for the next fold; compact, then fold
SELECT board, live, pending_changes, fold_overdue FROM gamestats.leaderboards WHERE live;
SELECT gamestats.refresh_leaderboard('arena', 'compact') AS compacted;
SELECT gamestats.refresh_leaderboard('arena') AS folded_rows;
SELECT board, pending_changes FROM gamestats.leaderboards WHERE live;
SELECT rank, player_id, score FROM arena WHERE player_id = 4242;  -- the fold itself
