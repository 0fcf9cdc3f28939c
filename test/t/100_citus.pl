# pg_gamestats on Citus: one node with shards on the coordinator.  Skipped
# where Citus is not installed (Debian does not package it; build it from
# its sources to run this file).  Shows that maintenance sees the rows of a
# distributed default partition and moves them into new, co-located
# distributed partitions with none lost or doubled; that a shell still
# holding local rows is refused; that the direct index paths refuse Citus
# tables instead of reading their empty shells.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use GamestatsTest;

plan skip_all => 'Citus is not installed for this PostgreSQL (citus.control not found)'
  unless gs_have_citus();

my $node = gs_new_node('citus', citus => 1);
my $port = $node->port;
# Citus connects to its nodes over TCP
$node->append_conf('postgresql.conf', "listen_addresses = 'localhost'\ncitus.shard_count = 4\n");
$node->restart;

$node->safe_psql('postgres', qq{
	CREATE EXTENSION citus;
	SELECT citus_set_coordinator_host('localhost', $port);
	SELECT citus_set_node_property('localhost', $port, 'shouldhaveshards', true);
	CREATE EXTENSION pg_gamestats;
	CREATE TABLE events (player_id bigint NOT NULL, kind text NOT NULL,
	                     at timestamptz NOT NULL, value integer)
	  PARTITION BY RANGE (at);
	SELECT create_distributed_table('events', 'player_id');
	SELECT gamestats.manage_partitions('events', '1 day', premake => 2,
	                                   retention => '30 days');
});

# rows of the last three days: the older ones land in the default partition
$node->safe_psql('postgres', q{
	INSERT INTO events
	SELECT p, 'kill', date_trunc('day', now()) - (p % 3) * interval '1 day' - interval '1 hour', 1
	  FROM generate_series(1, 3000) p;
});
my $buckets = q{SELECT date_trunc('day', at AT TIME ZONE 'UTC')::date, count(*), count(DISTINCT player_id)
	  FROM events GROUP BY 1 ORDER BY 1};
my $before = $node->safe_psql('postgres', $buckets);
my $indefault = $node->safe_psql('postgres',
	q{SELECT count(*) FROM events_default});
ok($indefault > 0, "rows sit in the distributed default partition ($indefault)");

my ($rc, $out, $err) = $node->psql('postgres',
	q{SELECT coalesce(error, 'ok') FROM gamestats.run_maintenance('events')});
is($out, 'ok', 'maintenance of the distributed table succeeds') or diag($err);
is($node->safe_psql('postgres', 'SELECT count(*) FROM events_default'), '0',
	'the default partition is empty after maintenance');
is($node->safe_psql('postgres', q{SELECT default_rows FROM gamestats.managed_tables WHERE parent = 'events'::regclass}),
	'0', 'default_rows is counted on the shards');
is($node->safe_psql('postgres', $buckets), $before,
	'rows per day and distinct players per day are the same before and after the move');
is($node->safe_psql('postgres', q{
	SELECT count(*) FROM pg_inherits i
	  LEFT JOIN pg_dist_partition d ON d.logicalrelid = i.inhrelid
	 WHERE i.inhparent = 'events'::regclass
	   AND (d.colocationid IS DISTINCT FROM
	        (SELECT colocationid FROM pg_dist_partition WHERE logicalrelid = 'events'::regclass))}),
	'0', 'every partition is distributed and co-located with the parent');
# sizes are the cluster's, not the shells'
is($node->safe_psql('postgres', q{
	SELECT bool_and(p.total_bytes = citus_total_relation_size(p.partition)),
	       bool_or(p.total_bytes > pg_total_relation_size(p.partition))
	  FROM gamestats.partitions p WHERE p.parent = 'events'::regclass}),
	't|t', 'gamestats.partitions reports the sizes of the shards');

# without retention, rows older than the oldest partition stay in the
# default partition; default_rows counts them on the shards
$node->safe_psql('postgres', q{
	CREATE TABLE kept (player_id bigint NOT NULL, at timestamptz NOT NULL)
	  PARTITION BY RANGE (at);
	SELECT create_distributed_table('kept', 'player_id');
	SELECT gamestats.manage_partitions('kept', '1 day', premake => 1);
	INSERT INTO kept SELECT p, now() - interval '40 days' FROM generate_series(1, 25) p;
	SELECT count(*) FROM gamestats.run_maintenance('kept');
});
is($node->safe_psql('postgres', q{SELECT default_rows FROM gamestats.managed_tables WHERE parent = 'kept'::regclass}),
	'25', 'default_rows counts the rows of a distributed default partition');

# a shell with local rows: a table distributed after rows went in
$node->safe_psql('postgres', q{
	CREATE TABLE late (player_id bigint NOT NULL, at timestamptz NOT NULL)
	  PARTITION BY RANGE (at);
	SELECT gamestats.manage_partitions('late', '1 day', premake => 1,
	                                   retention => '30 days');
	INSERT INTO late SELECT p, now() - interval '5 days' FROM generate_series(1, 10) p;
	SET client_min_messages = warning;
	SELECT create_distributed_table('late', 'player_id');
});
($rc, $out, $err) = $node->psql('postgres',
	q{SELECT error FROM gamestats.run_maintenance('late')});
like($out, qr/Citus table "late_default" still holds local rows on the coordinator/,
	'a shell that still holds local rows is refused');
$node->safe_psql('postgres',
	q{SELECT truncate_local_data_after_distributing_table('late_default')});
($rc, $out, $err) = $node->psql('postgres',
	q{SELECT coalesce(error, 'ok') FROM gamestats.run_maintenance('late')});
is($out, 'ok', 'after truncate_local_data_after_distributing_table maintenance runs') or diag($err);
is($node->safe_psql('postgres', q{SELECT count(*), count(DISTINCT player_id) FROM late}),
	'10|10', 'the distributed rows are all there, once');
is($node->safe_psql('postgres', 'SELECT count(*) FROM late_default'), '0',
	'and they were moved out of its default partition');

# the direct index paths refuse Citus tables rather than read their shells
$node->safe_psql('postgres', q{
	CREATE TABLE players (player_id bigint PRIMARY KEY, name text);
	SELECT create_distributed_table('players', 'player_id');
	INSERT INTO players SELECT p, 'p' || p FROM generate_series(1, 100) p;
	CREATE TABLE regions (id int PRIMARY KEY, name text);
	SELECT create_reference_table('regions');
	INSERT INTO regions VALUES (1, 'eu');
});
foreach my $t (['players', 'ARRAY[7]::bigint[]'], ['regions', 'ARRAY[1]'])
{
	($rc, $out, $err) = $node->psql('postgres',
		"SELECT * FROM gamestats.lookup(NULL::$t->[0], $t->[1])",
		extra_params => [ '-v', 'VERBOSITY=verbose' ]);
	like($err, qr/0A000: cannot read Citus table "$t->[0]" through pg_gamestats/,
		"lookup() on $t->[0] refuses with feature_not_supported");
}

# boards over a distributed table: made and refreshed with the plain
# aggregate query, on the coordinator, scanning the board no more than a
# board over a local table does
$node->safe_psql('postgres', q{
	CREATE TABLE scores (player_id bigint, score int);
	SELECT create_distributed_table('scores', 'player_id');
	CREATE TABLE local_scores (player_id bigint, score int);
	INSERT INTO scores SELECT p % 100, p FROM generate_series(1, 1000) p;
	INSERT INTO local_scores SELECT * FROM scores;
});
($rc, $out, $err) = $node->psql('postgres', q{
	SELECT gamestats.create_leaderboard('dist_board',
	    'SELECT player_id, sum(score) AS score FROM scores GROUP BY player_id')});
is($rc, 0, 'create_leaderboard over a distributed table works with the plain query') or diag($err);
$node->safe_psql('postgres', q{
	SELECT gamestats.create_leaderboard('local_board',
	    'SELECT player_id, sum(score) AS score FROM local_scores GROUP BY player_id')});
my %delta;
foreach my $b ('dist_board', 'local_board')
{
	my $scans = qq{SELECT coalesce(seq_scan, 0) + coalesce(idx_scan, 0)
	  FROM pg_stat_user_tables WHERE relid = '$b'::regclass};
	$node->safe_psql('postgres', 'SELECT pg_stat_force_next_flush()');
	my $s0 = $node->safe_psql('postgres', $scans);
	$node->safe_psql('postgres', qq{
		SELECT gamestats.refresh_leaderboard('$b');
		SELECT pg_stat_force_next_flush();});
	$delta{$b} = $node->safe_psql('postgres', $scans) - $s0;
}
ok($delta{dist_board} <= $delta{local_board},
	"a refresh scans the distributed board no more than the local one ($delta{dist_board} vs $delta{local_board})");
is($node->safe_psql('postgres', q{
	SELECT count(*) FROM (TABLE dist_board EXCEPT TABLE local_board) d}), '0',
	'the distributed board ranks as the local one');
is($node->safe_psql('postgres', q{
	SELECT string_agg(player_id || ':' || rank, ',' ORDER BY rank)
	  FROM gamestats.top(NULL::dist_board, 3)}),
	'0:1,99:2,98:3', 'top() reads the board, which lives on the coordinator');

done_testing();
