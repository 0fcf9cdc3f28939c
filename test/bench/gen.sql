-- Game data generator shared by `make bench` and `make demo`.
-- Players have Zipf-distributed activity: player k plays ~1/k as often as
-- player 1 (player_id = floor(n ^ u), u uniform in [0,1)).  Sizes are
-- arguments.  Deterministic for a given setseed().
CREATE SCHEMA IF NOT EXISTS gen;

CREATE TABLE IF NOT EXISTS players (
    player_id  bigint PRIMARY KEY,
    name       text NOT NULL,
    region     text NOT NULL,
    platform   text NOT NULL,
    rating     integer NOT NULL,
    created_at timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS matches (
    match_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    player_id bigint NOT NULL,
    score     integer NOT NULL,
    kills     integer NOT NULL,
    ended_at  timestamptz NOT NULL
);

-- fills players(player_id, name, region, platform, rating, created_at)
CREATE OR REPLACE FUNCTION gen.players(n bigint) RETURNS bigint
LANGUAGE sql AS $$
    INSERT INTO players
    SELECT i,
           'player_' || i,
           (ARRAY['eu','na','sa','asia','oce'])[1 + ((hashint8(i)::bigint & 2147483647) % 5)::int],
           (ARRAY['pc','ps','xbox','switch'])[1 + ((hashint8(i * 7)::bigint & 2147483647) % 4)::int],
           1000 + ((hashint8(i * 13)::bigint & 2147483647) % 2000)::int,
           now() - make_interval(days => ((hashint8(i * 17)::bigint & 2147483647) % 700)::int)
      FROM generate_series(1, n) AS i;
    SELECT count(*) FROM players;
$$;

-- Zipf-distributed player id in [1, n]
CREATE OR REPLACE FUNCTION gen.zipf_player(n bigint) RETURNS bigint
LANGUAGE sql VOLATILE AS $$
    SELECT least(n, greatest(1, floor(power(n::float8, random()))::bigint))
$$;

-- Events: per_day rows for each of the last `days` days up to `until`, into
-- `target` (player_id bigint, kind text, at timestamptz, value integer).
CREATE OR REPLACE FUNCTION gen.events(target regclass, n_players bigint, days integer,
                                      per_day bigint, until timestamptz DEFAULT now())
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    d integer;
    total bigint := 0;
    c bigint;
BEGIN
    FOR d IN REVERSE days - 1 .. 0 LOOP
        EXECUTE format($q$
            INSERT INTO %s (player_id, kind, at, value)
            SELECT gen.zipf_player($1),
                   (ARRAY['kill','death','match_start','match_end','purchase','login'])[1 + floor(random() * 6)::int],
                   $2 - make_interval(days => $3) - random() * interval '1 day',
                   floor(random() * 100)::int
              FROM generate_series(1, $4)$q$, target)
        USING n_players, until, d, per_day;
        GET DIAGNOSTICS c = ROW_COUNT;
        total := total + c;
    END LOOP;
    RETURN total;
END $$;

-- matches(match_id, player_id, score, kills, ended_at): per-player match
-- results, Zipf activity, scores roughly normal around 1000.
CREATE OR REPLACE FUNCTION gen.matches(n_players bigint, n_matches bigint,
                                       until timestamptz DEFAULT now())
RETURNS bigint LANGUAGE sql AS $$
    INSERT INTO matches (player_id, score, kills, ended_at)
    SELECT gen.zipf_player(n_players),
           greatest(0, (1000 + 300 * (random() + random() + random() - 1.5))::int),
           floor(random() * 30)::int,
           until - random() * interval '28 days'
      FROM generate_series(1, n_matches);
    SELECT count(*) FROM matches;
$$;
