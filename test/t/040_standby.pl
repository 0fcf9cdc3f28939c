# Hot standby: query functions work there, maintenance is a no-op, refresh,
# create and manage are clean errors, and a refresh on the primary reaches
# the standby.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $primary = PostgreSQL::Test::Cluster->new('primary');
$primary->init(allows_streaming => 1);
$primary->start;
$primary->safe_psql('postgres', q{
	CREATE EXTENSION pg_gamestats;
	CREATE TABLE scores (player_id bigint PRIMARY KEY, score int);
	INSERT INTO scores SELECT i, i % 10 FROM generate_series(1, 100) i;
	SELECT gamestats.create_leaderboard('board', 'SELECT player_id, score FROM scores');
	CREATE TABLE events (at timestamptz NOT NULL, v int) PARTITION BY RANGE (at);
	SELECT gamestats.manage_partitions('events', '1 day', retention => '7 days');
	INSERT INTO events SELECT now() - i * interval '1 hour', i FROM generate_series(0, 29) i;
	SELECT gamestats.create_rollup('events_daily', 'events', '1 day', '{}', 'count(*) AS n, sum(v) AS total');
	INSERT INTO events VALUES (now(), 1000);   -- pending for the next refresh
});
$primary->backup('b1');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'b1', has_streaming => 1);
$standby->start;
$primary->wait_for_catchup($standby);

is($standby->safe_psql('postgres', 'SELECT pg_is_in_recovery()'), 't', 'standby is in recovery');
is($standby->safe_psql('postgres',
	'SELECT string_agg(player_id::text, \',\') FROM gamestats.ranks(NULL::board, ARRAY[9, 19, 5])'),
	'9,19,5', 'ranks() works on the standby');
is($standby->safe_psql('postgres', 'SELECT count(*) FROM gamestats.top(NULL::board, 15)'),
	'15', 'top() works on the standby');
is($standby->safe_psql('postgres', 'SELECT count(*) FROM gamestats.around(NULL::board, 50, 2, 2)'),
	'5', 'around() works on the standby');
is($standby->safe_psql('postgres',
	'SELECT gamestats.rank_for_score(NULL::board, 8) || \'/\' || gamestats.board_size(NULL::board)'),
	'11/100', 'rank_for_score() and board_size() work on the standby');
is($standby->safe_psql('postgres',
	'SELECT string_agg(score::text, \',\') FROM gamestats.lookup(NULL::scores, ARRAY[3, 4])'),
	'3,4', 'lookup() works on the standby');

is($standby->safe_psql('postgres', 'SELECT count(*) FROM gamestats.run_maintenance()'),
	'0', 'run_maintenance() is a no-op on the standby');

my ($ret, $out, $err) = $standby->psql('postgres',
	"SELECT gamestats.refresh_leaderboard('board')");
like($err, qr/ERROR:.*recovery/, 'refresh on the standby is a clean error');
($ret, $out, $err) = $standby->psql('postgres',
	"SELECT gamestats.create_leaderboard('board2', 'SELECT player_id, score FROM scores')");
like($err, qr/ERROR:/, 'create_leaderboard on the standby is an error');
unlike($err, qr/XX000|internal/i, '... not an internal error');
($ret, $out, $err) = $standby->psql('postgres',
	"SELECT gamestats.manage_partitions('events', '1 hour')");
like($err, qr/ERROR:/, 'manage_partitions on the standby is an error');

# a rollup reads like any table on the standby, with its state; refresh is the primary's
is($standby->safe_psql('postgres', 'SELECT sum(n) || \'/\' || sum(total) FROM events_daily'),
	'30/435', 'the standby reads the rollup');
is($standby->safe_psql('postgres',
	'SELECT pending_buckets >= 1 AND last_refresh_at IS NOT NULL FROM gamestats.rollups'),
	't', 'gamestats.rollups works on the standby');
($ret, $out, $err) = $standby->psql('postgres', "SELECT gamestats.refresh_rollup('events_daily')");
like($err, qr/ERROR:  cannot refresh a rollup during recovery/, 'refresh_rollup on the standby is a clean error');

# a refresh on the primary is served by the standby once replayed
$primary->safe_psql('postgres', q{
	UPDATE scores SET score = 100 WHERE player_id = 42;
	SELECT gamestats.refresh_leaderboard('board');
});
$primary->wait_for_catchup($standby);
is($standby->safe_psql('postgres',
	'SELECT rank || \':\' || player_id FROM gamestats.top(NULL::board, 1)'),
	'1:42', 'the standby serves the refreshed board');

# an unlogged table has no rows on a standby: lookup() says so, as SELECT does
$primary->safe_psql('postgres', q{
	CREATE UNLOGGED TABLE sessions (id int PRIMARY KEY, v int);
	INSERT INTO sessions VALUES (1, 1);
});
$primary->wait_for_catchup($standby);
($ret, $out, $err) = $standby->psql('postgres',
	'SELECT * FROM gamestats.lookup(NULL::sessions, ARRAY[1])');
like($err, qr/ERROR:  cannot read unlogged table "sessions" during recovery/,
	'lookup() of an unlogged table on the standby is a clear error');
is($primary->safe_psql('postgres',
	'SELECT v FROM gamestats.lookup(NULL::sessions, ARRAY[1])'),
	'1', '... and works on the primary');

$standby->stop;
$primary->stop;
done_testing();
