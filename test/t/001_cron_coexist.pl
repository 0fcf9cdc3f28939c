# A cluster with pg_cron preloaded: both extensions install side by side and
# a pg_cron job can call into pg_gamestats.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use GamestatsTest;

gs_require_cron();
my $node = gs_new_node('coexist');

$node->safe_psql('postgres', 'CREATE EXTENSION pg_cron');
$node->safe_psql('postgres', 'CREATE EXTENSION pg_gamestats');
is($node->safe_psql('postgres',
	"SELECT string_agg(extname, ',' ORDER BY extname) FROM pg_extension WHERE extname IN ('pg_cron', 'pg_gamestats')"),
	'pg_cron,pg_gamestats', 'both extensions are installed');

$node->safe_psql('postgres', q{
	CREATE TABLE cron_seen (version text, at timestamptz DEFAULT now());
	SELECT cron.schedule('gamestats-version', '* * * * *',
	                     'INSERT INTO cron_seen(version) SELECT gamestats.version()');
});
# pg_cron 1.4 runs jobs at minute boundaries: allow two of them.
ok($node->poll_query_until('postgres', 'SELECT count(*) > 0 FROM cron_seen', 't'),
	'pg_cron ran a job that called pg_gamestats');
is($node->safe_psql('postgres', 'SELECT DISTINCT version FROM cron_seen'), '0.1.0',
	'the job saw the library version');
is($node->safe_psql('postgres',
	"SELECT status FROM cron.job_run_details ORDER BY runid DESC LIMIT 1"),
	'succeeded', 'pg_cron recorded the run as succeeded');

$node->stop;
done_testing();
