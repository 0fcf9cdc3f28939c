# pg_dump / pg_restore keeps the configuration of managed tables and
# leaderboards, and both keep working in the restored database; DROP
# EXTENSION is refused while they exist, and once they are unmanaged and
# dropped, DROP and CREATE EXTENSION again start from a clean slate.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('dump');
$node->init;
$node->start;
$node->safe_psql('postgres', q{
	CREATE ROLE game LOGIN;
	CREATE DATABASE src OWNER game;
	CREATE DATABASE dst OWNER game;   -- empty: the restore creates the extension
});
$node->safe_psql('src', 'CREATE EXTENSION pg_gamestats');
# everything below is done by the non-superuser owner of the tables
my $setup = q{
	CREATE TABLE events (player_id bigint NOT NULL, at timestamptz NOT NULL, v int)
		PARTITION BY RANGE (at);
	SELECT gamestats.manage_partitions('events', '1 day', retention => '3 days', premake => 2);
	INSERT INTO events SELECT i % 10, now() - make_interval(hours => i), i FROM generate_series(0, 47) i;
	CREATE TABLE totals (player_id bigint PRIMARY KEY, score int);
	INSERT INTO totals SELECT i, i * 10 FROM generate_series(1, 20) i;
	SELECT gamestats.create_leaderboard('board', 'SELECT player_id, score FROM totals');
	COMMENT ON MATERIALIZED VIEW board IS 'all-time board';
	-- a daily board with one archived season (the day before yesterday, UTC)
	CREATE TABLE wins (player_id bigint, score int, at timestamptz);
	CREATE FUNCTION day0() RETURNS timestamptz LANGUAGE sql STABLE
		AS $$SELECT date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' - interval '2 days'$$;
	INSERT INTO wins VALUES (1, 5, day0() + interval '1 hour'), (2, 8, day0() + interval '2 hours'),
	                        (1, 4, day0() + interval '1 day 1 hour');
	SELECT gamestats.create_leaderboard('daily',
		$$SELECT player_id, sum(score)::int AS score FROM public.wins
		   WHERE at >= gamestats.season_start() AND at < gamestats.season_end() GROUP BY 1$$);
	SELECT gamestats.set_season('daily', '1 day', now => day0() + interval '12 hours');
	SELECT * FROM gamestats.rollover('daily', now => day0() + interval '1 day 5 minutes');
};
$node->safe_psql('src', $setup, extra_params => ['-U', 'game']);

# errors of the last runs (their messages quote rows): shown to the owner,
# but neither readable by PUBLIC nor dumped
$node->safe_psql('src', q{
	INSERT INTO gamestats.partition_errors
	SELECT parent, 'maintenance: Key (player_id)=(7) secret-row' FROM gamestats.partition_config;
	INSERT INTO gamestats.leaderboard_errors
	SELECT board, 'refresh: Key (player_id)=(7) secret-row' FROM gamestats.leaderboard_config;
});
is($node->safe_psql('src', q{
	SELECT (SELECT count(last_error) FROM gamestats.managed_tables)
	     + (SELECT count(last_error) FROM gamestats.leaderboards)},
	extra_params => ['-U', 'game']), '4', 'the owner sees the errors of its tables and boards');

my $dump = $node->basedir . '/src.dump';
$node->command_ok(['pg_dump', '-Fc', '-U', 'game', '-d', $node->connstr('src'), '-f', $dump],
	'pg_dump by the owner');
my $script = $node->basedir . '/src.sql';
$node->command_ok(['pg_restore', '-f', $script, $dump], 'the dump as a script');
unlike(slurp_file($script), qr/secret-row/, 'the dump holds no error message');
# CREATE EXTENSION needs a superuser, so the restore runs as one; the
# objects keep their owner "game"
$node->command_ok(['pg_restore', '-d', $node->connstr('dst'), '--exit-on-error', $dump],
	'pg_restore into an empty database');
is($node->safe_psql('dst', "SELECT relowner::regrole FROM pg_class WHERE relname = 'board'"),
	'game', 'the board keeps its owner');

my $cfg = q{SELECT parent::text, partition_interval::text, retention::text, premake FROM gamestats.managed_tables};
is($node->safe_psql('dst', $cfg), $node->safe_psql('src', $cfg),
	'managed table configuration restored');
my $boards = q{SELECT board::text, player_column, score_column FROM gamestats.leaderboards};
is($node->safe_psql('dst', $boards), $node->safe_psql('src', $boards),
	'leaderboard configuration restored');
is($node->safe_psql('dst', 'SELECT count(*) FROM events'), '48', 'events restored');
my $seasons = q{SELECT board::text, season_period, season_start, last_season_start
	FROM gamestats.leaderboards WHERE season_period IS NOT NULL};
is($node->safe_psql('dst', $seasons), $node->safe_psql('src', $seasons),
	'season configuration restored');
my $archive = q{SELECT season_start, season_end, rank, player_id, score FROM daily_seasons ORDER BY 1, 3};
is($node->safe_psql('dst', $archive), $node->safe_psql('src', $archive), 'season archive restored');
is($node->safe_psql('dst', 'SELECT count(*) FROM daily_seasons'), '2', 'the archived season has its two players');
is($node->safe_psql('dst', q{
	SELECT (SELECT count(last_error) FROM gamestats.managed_tables)
	     + (SELECT count(last_error) FROM gamestats.leaderboards)}), '0',
	'no error restored');
is($node->safe_psql('dst',
	'SELECT string_agg(player_id::text, \',\') FROM gamestats.top(NULL::board, 3)'),
	'20,19,18', 'restored board answers top()');
is($node->safe_psql('dst', "SELECT obj_description('board'::regclass)"), 'all-time board',
	'board comment restored');

# maintenance and refresh run in the restored database
is($node->safe_psql('dst',
	'SELECT count(*) FROM gamestats.run_maintenance() WHERE error IS NOT NULL',
	extra_params => ['-U', 'game']), '0', 'maintenance runs without errors after restore');
$node->safe_psql('dst', q{
	UPDATE totals SET score = 1000 WHERE player_id = 1;
	SELECT gamestats.refresh_leaderboard('board');
}, extra_params => ['-U', 'game']);
is($node->safe_psql('dst',
	'SELECT player_id FROM gamestats.top(NULL::board, 1)'), '1', 'refresh works after restore');
# run_maintenance() above closed yesterday's season of the restored board
is($node->safe_psql('dst', q{
	SELECT season_start = day0() + interval '2 days' AND last_season_start = day0() + interval '1 day'
	  FROM gamestats.leaderboards WHERE board = 'daily'::regclass}),
	't', 'the restored seasonal board rolls over');
is($node->safe_psql('dst',
	"SELECT string_agg(player_id || ':' || score, ',' ORDER BY season_start, rank) FROM daily_seasons"),
	'2:8,1:5,1:4', 'its archive gets the next season');

# DROP EXTENSION is refused while a table is managed or a board exists,
# also with CASCADE: it would forget them silently
foreach my $drop ('DROP EXTENSION pg_gamestats', 'DROP EXTENSION pg_gamestats CASCADE')
{
	my ($ret, $out, $err) = $node->psql('dst', $drop);
	isnt($ret, 0, "$drop is refused while the extension manages something");
	like($err, qr/ERROR:  cannot drop extension "pg_gamestats" while it manages tables or leaderboards\nDETAIL:  Managed tables: public\.(?:events, public\.daily_seasons|daily_seasons, public\.events)\. Leaderboards: public\.(?:board, public\.daily|daily, public\.board)\./,
		"$drop names what it manages");
}
is($node->safe_psql('dst', 'SELECT count(*) FROM gamestats.managed_tables'), '2',
	'the refused drop keeps the configuration');

# after unmanaging the table and dropping the board (as their owner) the
# extension drops, and CREATE EXTENSION again starts from a clean slate
$node->safe_psql('dst', q{
	SELECT gamestats.unmanage_partitions(parent) FROM gamestats.managed_tables;
	SELECT gamestats.drop_leaderboard(board) FROM gamestats.leaderboards;
}, extra_params => ['-U', 'game']);
$node->safe_psql('dst', 'DROP EXTENSION pg_gamestats');
is($node->safe_psql('dst',
	"SELECT count(*) FROM pg_class WHERE relnamespace = 'gamestats'::regnamespace"),
	'0', 'DROP EXTENSION leaves no relation in schema gamestats');
is($node->safe_psql('dst', 'SELECT count(*) FROM events'), '48',
	'DROP EXTENSION keeps the user tables and their rows');
$node->safe_psql('dst', 'CREATE EXTENSION pg_gamestats');
is($node->safe_psql('dst', 'SELECT count(*) FROM gamestats.managed_tables'), '0',
	'a new CREATE EXTENSION starts with no managed tables');
$node->safe_psql('dst', q{SELECT gamestats.manage_partitions('events', '1 day')},
	extra_params => ['-U', 'game']);
is($node->safe_psql('dst', 'SELECT count(*) FROM gamestats.managed_tables'), '1',
	'the table can be managed again');

$node->stop;
done_testing();
