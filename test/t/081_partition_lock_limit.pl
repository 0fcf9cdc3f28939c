# The number of partitions one call makes is bounded by the shared lock
# table (every partition made holds its locks until the transaction ends).
# On a server with a small lock table: manage_partitions refuses a backfill
# that would need more than half of it, before making anything, with the
# real limit and the max_locks_per_transaction that would allow it; a call
# within the limit works and holds no more than half of the lock table;
# run_maintenance makes what fits and the next runs make the rest; with the
# setting the hint names, the refused call succeeds.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('locks');
$node->init;
$node->append_conf('postgresql.conf', qq{
max_connections = 10
max_prepared_transactions = 0
max_locks_per_transaction = 20
});
$node->start;
$node->safe_psql('postgres', q{
	CREATE EXTENSION pg_gamestats;
	CREATE TABLE ev (id bigint, at timestamptz NOT NULL) PARTITION BY RANGE (at);
	CREATE TABLE wide (id bigint, at timestamptz NOT NULL, kind text, PRIMARY KEY (id, at))
		PARTITION BY RANGE (at);
	CREATE INDEX ON wide (kind);
});

# a backfill of 300 one-minute slots: refused up front
my ($ret, $out, $err) = $node->psql('postgres', q{
	SELECT gamestats.manage_partitions('ev', '1 minute', premake => 0,
	         start_time => '2024-03-10 07:01+00', now => '2024-03-10 12:00+00')},
	extra_params => ['-v', 'VERBOSITY=verbose']);
isnt($ret, 0, 'a backfill of 300 partitions is refused on a small lock table');
like($err, qr/54000: managing table "ev" needs 301 new partitions, more than the (\d+) the lock table allows in one call/,
	'the error names the partitions needed and the real limit (SQLSTATE 54000)');
my ($limit) = $err =~ /more than the (\d+) the lock table/;
like($err, qr/holds up to \d+ locks until the transaction ends.*max_locks_per_transaction \(20\) \* \(max_connections \(10\) \+ max_prepared_transactions \(0\)\)/s,
	'the detail gives the locks per partition and the lock table size');
my ($ev_per) = $err =~ /holds up to (\d+) locks/;
my ($needed) = $err =~ /set max_locks_per_transaction to at least (\d+)/;
ok(defined $needed && $needed > 20, 'the hint names the setting that allows the call');
ok($limit > 0 && $limit < 25, "the limit ($limit) is half the lock table over the locks per partition");
is($node->safe_psql('postgres', q{
	SELECT (SELECT count(*) FROM gamestats.managed_tables)
	     + (SELECT count(*) FROM pg_inherits WHERE inhparent = 'ev'::regclass)}),
	'0', 'nothing was made or recorded');

# a table with indexes and a TOAST table holds more locks per partition
($ret, $out, $err) = $node->psql('postgres', q{
	SELECT gamestats.manage_partitions('wide', '1 minute', premake => 0,
	         start_time => '2024-03-10 07:01+00', now => '2024-03-10 12:00+00')});
like($err, qr/holds up to (\d+) locks/, 'the locks per partition depend on the table');
my ($wide_per) = $err =~ /holds up to (\d+) locks/;
ok($wide_per > $ev_per, "a partition of a table with indexes and TOAST holds more locks ($wide_per)");

# exactly the limit (the default partition is one of them) works, and the
# call holds no more than half of the lock table
my $slots = $limit - 1;
my $locks = $node->safe_psql('postgres', qq{
	BEGIN;
	SELECT gamestats.manage_partitions('ev', '1 minute', premake => 0,
	         start_time => timestamptz '2024-03-10 12:00+00' - interval '1 minute' * ($slots - 1),
	         now => '2024-03-10 12:00+00');
	SELECT count(DISTINCT (locktype, database, relation, page, tuple, virtualxid,
	                       transactionid::text, classid, objid, objsubid))
	  FROM pg_locks WHERE pid = pg_backend_pid() AND NOT fastpath;
	COMMIT;
});
my ($made, $held) = split /\n/, $locks;
is($made, $slots, "a call of $slots partitions and the default partition works");
cmp_ok($held, '<=', 100, "it holds $held lock-table entries, at most half of the 200");
is($node->safe_psql('postgres', q{SELECT count(*) FROM pg_inherits WHERE inhparent = 'ev'::regclass}),
	$limit, 'the partitions are there');

# run_maintenance with rows of many slots in the default partition: each run
# makes what fits, says so, and the next runs make the rest; no run fails
$node->safe_psql('postgres', q{
	SELECT gamestats.alter_partitions('ev', retention => '1 day');
	INSERT INTO ev SELECT i, timestamptz '2024-03-10 06:00:30+00' + i * interval '1 minute'
	  FROM generate_series(0, 59) i;
});
my $runs = 0;
my $moved = 0;
my @errors;
while ($runs < 20)
{
	my $r = $node->safe_psql('postgres', q{
		SELECT created || '|' || moved_rows || '|' || coalesce(error, '')
		  FROM gamestats.run_maintenance('ev', now => '2024-03-10 12:00+00')});
	my ($c, $m, $e) = split /\|/, $r, 3;
	$runs++;
	$moved += $m;
	push @errors, $e if $e ne '';
	last if $e eq '';
	cmp_ok($c, '<=', $limit, "run $runs makes at most $limit partitions");
}
cmp_ok($runs, '>', 1, "the rows of 60 slots take $runs runs");
is($moved, 60, 'every row was moved in the end');
ok((grep { !/^partition limit reached: made \d+ partitions, the most one run may lock/ } @errors) == 0,
	'the runs that stopped early say why, and no run failed');
is($node->safe_psql('postgres', q{
	SELECT count(*) || '/' || (SELECT count(*) FROM ONLY ev_default) || '/'
	       || coalesce((SELECT last_error FROM gamestats.managed_tables), '') FROM ev}),
	'60/0/', 'all rows are in their partitions and last_error is clear');

# with the setting the hint names, the refused backfill succeeds in one call
$node->safe_psql('postgres', q{
	SELECT gamestats.unmanage_partitions('ev');
	DROP TABLE ev;
	CREATE TABLE ev (id bigint, at timestamptz NOT NULL) PARTITION BY RANGE (at);
});
$node->append_conf('postgresql.conf', "max_locks_per_transaction = $needed\n");
$node->restart;
is($node->safe_psql('postgres', q{
	SELECT gamestats.manage_partitions('ev', '1 minute', premake => 0,
	         start_time => '2024-03-10 07:01+00', now => '2024-03-10 12:00+00')}),
	'300', "with max_locks_per_transaction = $needed the backfill of 300 partitions works");

$node->stop;
done_testing();
