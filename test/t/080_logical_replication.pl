# Moving rows out of the default partition of a table in a logical-replication
# publication, with a real subscriber.  Through the root
# (publish_via_partition_root = true, FOR TABLE or FOR ALL TABLES) the move
# is replicated and the subscriber keeps exactly the publisher's rows.  Where
# a subscriber would lose or duplicate the rows -- the default partition
# published by its own name (FOR TABLE, FOR ALL TABLES or TABLES IN SCHEMA without
# publish_via_partition_root), a publication of inserts only, a default
# partition without replica identity -- the move is refused with an error
# recorded in last_error, the rows stay where they are, and the rest of
# maintenance (premade partitions) goes on.  Either way the subscriber's rows
# equal the publisher's.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $pub = PostgreSQL::Test::Cluster->new('publisher');
$pub->init(allows_streaming => 'logical');
$pub->append_conf('postgresql.conf', qq{
max_replication_slots = 12
max_wal_senders = 12
});
$pub->start;

my $sub = PostgreSQL::Test::Cluster->new('subscriber');
$sub->init;
$sub->append_conf('postgresql.conf', qq{
max_logical_replication_workers = 12
max_worker_processes = 20
});
$sub->start;

# name => [publication options, how the subscriber stores the rows, refusal]
my %cases = (
	root     => ['FOR TABLE ev WITH (publish_via_partition_root = true)', 'root', undef],
	allroot  => ['FOR ALL TABLES WITH (publish_via_partition_root = true)', 'root', undef],
	leaf     => ['FOR TABLE ev', 'leaf',
		qr/publication "p_leaf" publishes it without publish_via_partition_root/],
	alltab   => ['FOR ALL TABLES', 'leaf',
		qr/publication "p_alltab" publishes it without publish_via_partition_root/],
	inschema => ['FOR TABLES IN SCHEMA public', 'leaf',
		qr/publication "p_inschema" publishes it without publish_via_partition_root/],
	insonly  => ["FOR TABLE ev WITH (publish_via_partition_root = true, publish = 'insert')", 'root',
		qr/publication "p_insonly" publishes inserts but not deletes/],
	noident  => ['FOR TABLE ev WITH (publish_via_partition_root = true)', 'root',
		qr/cannot delete from table "ev_default" because it does not have a replica identity and publishes deletes/],
);

my $rows = q{SELECT string_agg(id || '|' || at || '|' || coalesce(v, 'NULL'), ',' ORDER BY id, at) FROM %s};
my $connstr = $pub->connstr;

foreach my $name (sort keys %cases)
{
	my ($pubdef, $shape, $refusal) = @{ $cases{$name} };
	my $pk = $name eq 'noident' ? '' : ', PRIMARY KEY (id, at)';

	$pub->safe_psql('postgres', "CREATE DATABASE $name");
	$sub->safe_psql('postgres', "CREATE DATABASE $name");
	$pub->safe_psql($name, qq{
		SET TimeZone = 'UTC';
		CREATE EXTENSION pg_gamestats;
		CREATE TABLE ev (id bigint NOT NULL, at timestamptz NOT NULL, v text$pk)
			PARTITION BY RANGE (at);
		SELECT gamestats.manage_partitions('ev', '1 day', retention => '7 days', premake => 1,
		                                   now => '2024-03-10 12:00+00');
		-- today, two days without a partition (default), and too old (default)
		INSERT INTO ev SELECT i, '2024-03-10 00:00+00'::timestamptz + i * interval '1 minute', 'today ' || i
		  FROM generate_series(1, 100) i;
		INSERT INTO ev SELECT i, '2024-03-07 00:00+00'::timestamptz + i * interval '10 minutes', 'late ' || i
		  FROM generate_series(101, 380) i;
		INSERT INTO ev VALUES (1000, '2020-01-01 00:00+00', 'old'), (1001, '2020-01-02 00:00+00', NULL);
		CREATE PUBLICATION p_$name $pubdef;
	});

	# the subscriber's tables: the root only, or one table per published leaf
	my $subsql = "SET TimeZone = 'UTC';\n";
	$subsql .= "CREATE EXTENSION pg_gamestats;\n" if $name =~ /^all/;
	$subsql .= "CREATE TABLE ev (id bigint NOT NULL, at timestamptz NOT NULL, v text$pk);\n";
	if ($shape eq 'leaf')
	{
		my @leaves = split /\n/, $pub->safe_psql($name,
			q{SELECT relname FROM pg_class WHERE relispartition AND relkind = 'r' AND relname LIKE 'ev%' ORDER BY 1});
		$subsql .= "CREATE TABLE $_ (LIKE ev INCLUDING ALL);\n" foreach @leaves;
		$subsql .= 'CREATE VIEW ev_all AS '
		  . join(' UNION ALL ', map { "SELECT * FROM $_" } @leaves) . ";\n";
	}
	$sub->safe_psql($name, $subsql);
	$sub->safe_psql($name,
		"CREATE SUBSCRIPTION s_$name CONNECTION '$connstr dbname=$name' PUBLICATION p_$name");
	$sub->wait_for_subscription_sync($pub, "s_$name", $name);

	my $subrel = $shape eq 'leaf' ? 'ev_all' : 'ev';
	my $before = $pub->safe_psql($name, sprintf($rows, 'ev'));
	is($sub->safe_psql($name, sprintf($rows, $subrel)), $before,
		"$name: the subscriber starts with the publisher's rows");
	is($pub->safe_psql($name, 'SELECT count(*) FROM ONLY ev_default'), '282',
		"$name: 282 rows in the default partition");

	# a day later: 03-12 is premade, the rows of 03-07 to 03-09 are due to move
	my $res = $pub->safe_psql($name, q{
		SELECT created || '/' || moved_rows || '/' || coalesce(error, '')
		  FROM gamestats.run_maintenance('ev', now => '2024-03-11 12:00+00')});
	my ($created, $moved, $error) = split m{/}, $res, 3;
	my $last_error = $pub->safe_psql($name,
		q{SELECT coalesce(last_error, '') FROM gamestats.managed_tables WHERE parent = 'ev'::regclass});
	my $premade = $pub->safe_psql($name, q{SELECT to_regclass('ev_p20240312') IS NOT NULL});
	is($premade, 't', "$name: the premade partition is made");

	if (defined $refusal)
	{
		like($error, $refusal, "$name: the move is refused with a clear error");
		like($last_error, $refusal, "$name: the refusal is recorded in last_error");
		is($moved, '0', "$name: no row moved");
		is($pub->safe_psql($name, 'SELECT count(*) FROM ONLY ev_default'), '282',
			"$name: the rows stay in the default partition");
	}
	else
	{
		is($error, '', "$name: maintenance succeeds");
		is($last_error, '', "$name: last_error is empty");
		is($moved, '280', "$name: 280 rows moved");
		is($pub->safe_psql($name, 'SELECT count(*) FROM ONLY ev_default'), '2',
			"$name: only the too old rows stay in the default partition");
		is($pub->safe_psql($name,
			q{SELECT string_agg(DISTINCT tableoid::regclass::text, ',' ORDER BY tableoid::regclass::text) FROM ev WHERE id BETWEEN 101 AND 380}),
			'ev_p20240307,ev_p20240308,ev_p20240309', "$name: the moved rows are in their new partitions");
	}
	is($pub->safe_psql($name, sprintf($rows, 'ev')), $before,
		"$name: the publisher has the same rows as before");
	$pub->wait_for_catchup("s_$name");
	is($sub->safe_psql($name, sprintf($rows, $subrel)), $before,
		"$name: the subscriber has exactly the publisher's rows after maintenance");

	# later changes of moved rows, and new rows, reach the subscriber
	$pub->safe_psql($name, q{
		UPDATE ev SET v = 'changed' WHERE id = 150;
		DELETE FROM ev WHERE id = 151;
		INSERT INTO ev VALUES (2000, '2024-03-10 23:00+00', 'new');
	}) unless $name eq 'noident' || $name eq 'insonly';
	$pub->wait_for_catchup("s_$name");
	is($sub->safe_psql($name, sprintf($rows, $subrel)),
		$pub->safe_psql($name, sprintf($rows, 'ev')),
		"$name: later changes of the rows replicate as well");

	$sub->safe_psql($name, "DROP SUBSCRIPTION s_$name");
}

# a refused table can be fixed as the hint says, and the next run moves the rows
$pub->safe_psql('leaf', 'ALTER PUBLICATION p_leaf SET (publish_via_partition_root = true)');
my $due = $pub->safe_psql('leaf', q{SELECT count(*) FROM ONLY ev_default WHERE at >= '2024-03-04'});
is($pub->safe_psql('leaf', q{
	SELECT moved_rows || '/' || coalesce(error, '')
	  FROM gamestats.run_maintenance('ev', now => '2024-03-11 12:00+00')}),
	"$due/", 'leaf: after ALTER PUBLICATION ... SET (publish_via_partition_root = true) the rows move');

$sub->stop;
$pub->stop;
done_testing();
