-- Batched lookups and rank queries over the boards of the leaderboards part.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;

SELECT player_id AS me FROM rating_board ORDER BY rank DESC, player_id LIMIT 1 OFFSET 5000 \gset

\echo
\echo Player :me and the 3 players above and below on the all-time rating board:
SELECT * FROM gamestats.around(NULL::rating_board, :me::bigint, 3, 3);

\echo A friends board: the ranks of five friends, in the order the service asked
SELECT rank, player_id, rating, name
  FROM gamestats.ranks(NULL::rating_board, ARRAY[:me, 42, 7, 999999999, 1234]::bigint[]);

\echo The top 5 of region eu on the per-region board
SELECT * FROM gamestats.top(NULL::region_best, 5, segment => 'eu');

\echo A batched lookup of player rows by primary key (missing keys are skipped)
SELECT * FROM gamestats.lookup(NULL::players, ARRAY[3, 1, 2, 0]::bigint[]);

\echo The rank a rating of 2500 would get, and the size of the board
SELECT gamestats.rank_for_score(NULL::rating_board, 2500) AS rank_for_2500,
       gamestats.board_size(NULL::rating_board) AS players_ranked;
