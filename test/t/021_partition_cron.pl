# pg_cron runs the maintenance that gamestats.schedule_maintenance()
# scheduled: a non-superuser owner schedules it, the job creates the
# partitions the real clock needs and applies retention.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use GamestatsTest;

gs_require_cron();
my $node = gs_new_node('partition_cron', allows_streaming => 1);

$node->safe_psql('postgres', q{
	CREATE EXTENSION pg_cron;
	CREATE EXTENSION pg_gamestats;
	CREATE ROLE game LOGIN;
	GRANT CREATE ON SCHEMA public TO game;
	GRANT USAGE ON SCHEMA cron TO game;
});

# managed as if three days ago: the partitions of today are missing
$node->safe_psql('postgres', q{
	SET ROLE game;
	CREATE TABLE events (at timestamptz NOT NULL, kind text) PARTITION BY RANGE (at);
	SELECT gamestats.manage_partitions('events', '1 day', retention => '2 days', premake => 1,
	                                   now => now() - interval '3 days');
});
is($node->safe_psql('postgres',
	"SELECT count(*) FROM gamestats.partitions WHERE range_from <= now() AND range_to > now()"),
	'0', 'no partition for today before the job runs');

# scheduling twice keeps one job, owned by the caller
my $job1 = $node->safe_psql('postgres',
	"SET ROLE game; SELECT gamestats.schedule_maintenance('0 0 1 1 *')");
my $job2 = $node->safe_psql('postgres',
	"SET ROLE game; SELECT gamestats.schedule_maintenance('* * * * *')");
is($job2, $job1, 'scheduling again replaces the job');
is($node->safe_psql('postgres',
	"SELECT count(*) || ' ' || min(username) || ' ' || min(schedule) FROM cron.job WHERE jobname = 'gamestats-maintenance'"),
	'1 game * * * * *', 'one job, run as the owner, every minute');
# the job calls the procedure that commits (and so releases locks) per table
is($node->safe_psql('postgres',
	"SELECT command FROM cron.job WHERE jobname = 'gamestats-maintenance'"),
	'CALL gamestats.run_maintenance_proc()', 'the job calls run_maintenance_proc');

# pg_cron 1.4 fires at minute boundaries
ok($node->poll_query_until('postgres',
	'SELECT last_run IS NOT NULL FROM gamestats.managed_tables', 't'),
	'pg_cron ran the maintenance');
is($node->safe_psql('postgres',
	"SELECT coalesce(last_error, 'none') FROM gamestats.managed_tables"),
	'none', 'the run recorded no error');
is($node->safe_psql('postgres',
	"SELECT count(*) FROM gamestats.partitions WHERE range_from <= now() AND range_to > now()"),
	'1', 'the job created the partition for today');
is($node->safe_psql('postgres',
	"SELECT count(*) FROM gamestats.partitions WHERE NOT is_default AND range_to <= now() - interval '2 days'"),
	'0', 'the job applied retention');
is($node->safe_psql('postgres',
	"SELECT string_agg(DISTINCT c.relowner::regrole::text, ',') FROM gamestats.partitions p JOIN pg_class c ON c.oid = p.partition"),
	'game', 'the partitions belong to the owner');
ok($node->poll_query_until('postgres',
	"SELECT count(*) > 0 FROM cron.job_run_details WHERE status = 'succeeded'", 't'),
	'pg_cron recorded the run as succeeded');

# on a hot standby maintenance is a no-op, not an error
$node->backup('base');
my $standby = PostgreSQL::Test::Cluster->new('partition_standby');
$standby->init_from_backup($node, 'base', has_streaming => 1);
$standby->append_conf('postgresql.conf', "shared_preload_libraries = ''");
$standby->start;
$node->wait_for_catchup($standby);
is($standby->safe_psql('postgres', 'SELECT count(*) FROM gamestats.run_maintenance()'),
	'0', 'run_maintenance on a standby returns no rows');
my ($ret, $out, $err) = $standby->psql('postgres',
	"SELECT gamestats.manage_partitions('events', '1 day')");
like($err, qr/cannot manage partitions during recovery/, 'manage_partitions refuses on a standby');
$standby->stop;

$node->stop;
done_testing();
