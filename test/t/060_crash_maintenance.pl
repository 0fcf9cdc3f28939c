# A crash (immediate stop) in the middle of run_maintenance, while it moves
# rows out of the default partition: after recovery the managed table is
# consistent (no rows lost, no half-made partition left behind) and the next
# run finishes the job.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;

my $node = PostgreSQL::Test::Cluster->new('crash');
$node->init;
$node->start;
$node->safe_psql('postgres', q{
	CREATE EXTENSION pg_gamestats;
	CREATE TABLE events (id bigint NOT NULL, at timestamptz NOT NULL) PARTITION BY RANGE (at);
	SELECT gamestats.manage_partitions('events', '1 day', retention => '30 days',
	                                   start_time => now() - interval '2 days');
	-- rows for a day inside the window but before the first partition: they
	-- land in the default partition, and maintenance moves them out
	INSERT INTO events SELECT i, date_trunc('day', now()) - interval '10 days' + i * interval '1 second'
	  FROM generate_series(1, 1000) i;
	-- a check constraint that can stall the move on demand: the move checks
	-- each row against the constraints of its new partition (no trigger
	-- fires during a move)
	CREATE FUNCTION stall(bigint) RETURNS boolean LANGUAGE plpgsql AS $$
	BEGIN
	  IF current_setting('test.stall', true) = 'on' AND $1 = 500 THEN PERFORM pg_sleep(300); END IF;
	  RETURN true;
	END $$;
	ALTER TABLE events ADD CONSTRAINT stall CHECK (stall(id));
});
is($node->safe_psql('postgres', 'SELECT count(*) FROM events_default'), '1000',
	'rows start in the default partition');
my $before = $node->safe_psql('postgres',
	q{SELECT string_agg(partition::text, ',' ORDER BY partition::text) FROM gamestats.partitions WHERE parent = 'events'::regclass});

# run maintenance in the background; it stalls while moving the rows
my ($in, $out, $err) = ('', '', '');
my $h = IPC::Run::start(
	[ 'psql', '-XAtq', '-d', $node->connstr('postgres'), '-c',
	  "SET test.stall = on; SELECT * FROM gamestats.run_maintenance()" ],
	'<', \$in, '>', \$out, '2>', \$err);
ok($node->poll_query_until('postgres',
	"SELECT count(*) > 0 FROM pg_stat_activity WHERE wait_event = 'PgSleep'"),
	'maintenance is stalled in the middle of moving rows');

$node->stop('immediate');
$h->finish;
$node->start;

is($node->safe_psql('postgres', 'SELECT count(*) FROM events'), '1000',
	'no row lost by the crash');
is($node->safe_psql('postgres',
	q{SELECT string_agg(partition::text, ',' ORDER BY partition::text) FROM gamestats.partitions WHERE parent = 'events'::regclass}),
	$before, 'the partitions are those from before the crash: the run rolled back');
is($node->safe_psql('postgres',
	q{SELECT count(*) FROM pg_class WHERE relname LIKE 'events%' AND relkind = 'r' AND NOT relispartition}),
	'0', 'no orphan table left behind');

# the next run completes the move
is($node->safe_psql('postgres',
	'SELECT coalesce(sum(moved_rows), 0) || \'/\' || count(*) FILTER (WHERE error IS NOT NULL) FROM gamestats.run_maintenance()'),
	'1000/0', 'the next run moves the rows without error');
is($node->safe_psql('postgres', 'SELECT count(*) FROM events_default'), '0',
	'the default partition is empty');
is($node->safe_psql('postgres', 'SELECT count(*) FROM events'), '1000', 'all rows still there');
is($node->safe_psql('postgres',
	q{SELECT count(*) FROM pg_class WHERE relname LIKE 'events%' AND relkind = 'r' AND NOT relispartition}),
	'0', 'still no orphan table');
# the moved rows live in one attached partition covering their day
is($node->safe_psql('postgres', q{
	SELECT count(DISTINCT e.tableoid) || '/' || bool_and(c.relispartition)
	  FROM events e JOIN pg_class c ON c.oid = e.tableoid}),
	'1/true', 'the moved rows are in one attached partition');

$node->stop;
done_testing();
