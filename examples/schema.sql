-- The game database of examples/node and examples/python: players, their
-- matches, and a leaderboard over the matches.  Loaded by test/examples.sh
-- into a throwaway cluster; run it as a superuser (it creates a role).
CREATE EXTENSION IF NOT EXISTS pg_gamestats;

CREATE SCHEMA game;
CREATE TABLE game.players (
    player_id bigint PRIMARY KEY,
    name      text NOT NULL,
    joined_at timestamptz NOT NULL,
    coins     numeric(12, 2) NOT NULL
);
CREATE TABLE game.matches (
    player_id bigint NOT NULL REFERENCES game.players,
    points    bigint NOT NULL,
    played_at timestamptz NOT NULL
);

-- 9007199254740993 is 2^53 + 1: a JavaScript number cannot hold it.
INSERT INTO game.players VALUES
    (17,               'ada', '2024-01-05 10:00:00+00', 120.50),
    (42,               'bob', '2024-01-06 11:30:00+00',   0.00),
    (99,               'cy',  '2024-02-01 08:15:00+00',  99.99),
    (4242,             'dee', '2024-02-14 20:00:00+00',  15.25),
    (9007199254740993, 'eve', '2024-03-01 00:00:00+00', 1000000.01),
    (7,                'fay', '2024-03-10 09:00:00+00',   3.00),
    (8,                'gus', '2024-03-11 09:00:00+00',   7.50),
    (5,                'hal', '2024-04-01 12:00:00+00',   0.00);   -- no matches: not on the board
INSERT INTO game.matches VALUES
    (17,   300, '2024-05-01 10:00:00+00'), (17, 200, '2024-05-01 12:00:00+00'),
    (42,   500, '2024-05-02 09:30:00+00'),
    (99,   450, '2024-05-01 18:45:00+00'),
    (4242, 150, '2024-05-02 07:00:00+00'), (4242, 250, '2024-05-03 21:00:00+00'),
    (9007199254740993, 400, '2024-05-03 21:00:00+00'),
    (7,    100, '2024-05-04 10:00:00+00'),
    (8,     20, '2024-05-04 11:00:00+00'), (8, 30, '2024-05-04 11:30:00+00'), (8, 1, '2024-05-04 11:45:00+00');

-- Columns: rank bigint, player_id bigint, score bigint, reached_at
-- timestamptz (the tiebreak: who got there first), avg_points numeric.
SELECT gamestats.create_leaderboard('game.weekly_points',
    $$SELECT player_id, sum(points)::bigint AS score, max(played_at) AS reached_at,
             round(avg(points), 2) AS avg_points
        FROM game.matches GROUP BY player_id$$,
    tiebreak_column => 'reached_at');

-- The service reads with a role of its own that may only SELECT.
CREATE ROLE game_api LOGIN;
GRANT USAGE ON SCHEMA game TO game_api;
GRANT SELECT ON game.players, game.weekly_points TO game_api;
