# Live boards across a hot standby, a crash and pg_dump/pg_restore: the
# standby's live ranks equal the primary's once replayed, a crash (also in
# the middle of a fold) loses no committed score, and a restored board is
# live at once with the same ranks.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

# live ranks of every player vs rank() over the table, in one snapshot
my $wrong = q{
	SELECT count(*) FROM (
	  (SELECT rank, player_id FROM gamestats.ranks(NULL::lb, (SELECT array_agg(player_id) FROM ls))
	   EXCEPT ALL
	   SELECT rank() OVER (ORDER BY score DESC, reached_at), player_id FROM ls)
	  UNION ALL
	  (SELECT rank() OVER (ORDER BY score DESC, reached_at), player_id FROM ls
	   EXCEPT ALL
	   SELECT rank, player_id FROM gamestats.ranks(NULL::lb, (SELECT array_agg(player_id) FROM ls)))) d};
my $all = q{SELECT string_agg(rank || ':' || player_id || ':' || score, ',' ORDER BY rank, player_id)
	FROM gamestats.top(NULL::lb, 1000)};

my $primary = PostgreSQL::Test::Cluster->new('live_primary');
$primary->init(allows_streaming => 1);
$primary->start;
$primary->safe_psql('postgres', q{
	CREATE EXTENSION pg_gamestats;
	CREATE TABLE ls (player_id int PRIMARY KEY, score int NOT NULL,
	                 reached_at timestamptz NOT NULL DEFAULT '2026-01-01');
	INSERT INTO ls SELECT g, g % 13, '2026-01-01'::timestamptz + g * interval '1 s'
	  FROM generate_series(1, 300) g;
	SELECT gamestats.create_live_leaderboard('lb', 'ls', tiebreak_column => 'reached_at');
});
$primary->backup('b1');
my $standby = PostgreSQL::Test::Cluster->new('live_standby');
$standby->init_from_backup($primary, 'b1', has_streaming => 1);
$standby->start;

# changes after the fold reach the standby through the journal
$primary->safe_psql('postgres', q{
	UPDATE ls SET score = score + 20 WHERE player_id % 17 = 0;
	DELETE FROM ls WHERE player_id % 29 = 0;
	INSERT INTO ls VALUES (1000, 50, '2026-02-01');
	SELECT * FROM gamestats.submit_score(NULL::lb, 1001, 40, at => '2026-02-02');
});
$primary->wait_for_catchup($standby);
is($standby->safe_psql('postgres', $wrong), '0', 'standby: live ranks exact');
is($standby->safe_psql('postgres', $all), $primary->safe_psql('postgres', $all),
	'standby: the same live ranks as the primary');
my ($ret, $out, $err) = $standby->psql('postgres',
	'SELECT * FROM gamestats.submit_score(NULL::lb, 1, 5)');
like($err, qr/ERROR:.*recovery/, 'standby: submit_score is a clean error');

# a fold on the primary is served by the standby once replayed
$primary->safe_psql('postgres', "SELECT gamestats.refresh_leaderboard('lb')");
$primary->safe_psql('postgres', 'UPDATE ls SET score = 99 WHERE player_id = 5');
$primary->wait_for_catchup($standby);
is($standby->safe_psql('postgres', $all), $primary->safe_psql('postgres', $all),
	'standby: the same live ranks after a fold');
is($standby->safe_psql('postgres', 'SELECT pending_changes FROM gamestats.leaderboards'),
	'2', 'standby: the change since the fold waits in the journal');
$standby->stop;

# a crash: committed scores survive, an open fold and open writes do not
$primary->safe_psql('postgres', 'UPDATE ls SET score = score + 1 WHERE player_id % 3 = 0');
my $before = $primary->safe_psql('postgres', $all);
my $fold = $primary->background_psql('postgres');
$fold->query_safe('BEGIN');
$fold->query_safe("SELECT gamestats.refresh_leaderboard('lb')");
my $writer = $primary->background_psql('postgres');
$writer->query_safe('BEGIN');
$writer->query_safe('UPDATE ls SET score = 500 WHERE player_id = 7');
$primary->stop('immediate');
$fold->{run}->kill_kill;
$writer->{run}->kill_kill;
$primary->start;
is($primary->safe_psql('postgres', $all), $before, 'crash: the committed ranks, exactly');
is($primary->safe_psql('postgres', $wrong), '0', 'crash: live ranks exact after restart');
$primary->safe_psql('postgres', "SELECT gamestats.refresh_leaderboard('lb')");
is($primary->safe_psql('postgres', $all), $before, 'crash: a fold after restart changes no rank');

# pg_dump / pg_restore: the REFRESH that pg_restore runs is a fold
$primary->safe_psql('postgres', 'UPDATE ls SET score = score + 2 WHERE player_id % 5 = 0');
my $want = $primary->safe_psql('postgres', $all);
ok($primary->safe_psql('postgres', "SELECT gamestats.live_pending('lb')") > 0,
	'dumped with changes waiting in the journal');
my $dump = $primary->basedir . '/live.dump';
$primary->command_ok([ 'pg_dump', '-Fc', '-d', $primary->connstr('postgres'), '-f', $dump ],
	'pg_dump of a database with a live board');
$primary->safe_psql('postgres', 'CREATE DATABASE restored');
$primary->command_ok([ 'pg_restore', '-d', $primary->connstr('restored'), $dump ],
	'pg_restore of it');
is($primary->safe_psql('restored', $all), $want, 'restored: the same live ranks');
is($primary->safe_psql('restored', 'SELECT gamestats.live_pending(\'lb\')'), '0',
	'restored: the journal restored with it is forgotten by the REFRESH');
$primary->safe_psql('restored', "SELECT gamestats.refresh_leaderboard('lb')");
is($primary->safe_psql('restored', $all), $want, 'restored: a fold changes no rank');
$primary->safe_psql('restored', 'UPDATE ls SET score = 77 WHERE player_id = 11');
is($primary->safe_psql('restored', $wrong), '0', 'restored: writes are journaled again');
is($primary->safe_psql('restored',
	"SELECT tgenabled FROM pg_trigger WHERE tgname = 'gamestats_live'"), 'A',
	'restored: the trigger still fires in every replication role');

done_testing();
