-- What the generator made.
\echo players and matches generated (Zipf activity):
SELECT (SELECT count(*) FROM players) AS players,
       (SELECT count(*) FROM matches) AS matches,
       (SELECT count(*) FROM (SELECT player_id FROM matches GROUP BY player_id
                               HAVING count(*) >= 100) s) AS players_with_100_matches;
SELECT extname, extversion FROM pg_extension WHERE extname IN ('pg_cron', 'pg_gamestats') ORDER BY 1;
