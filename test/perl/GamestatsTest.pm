# Shared setup of the TAP tests: a test cluster with pg_cron preloaded when
# this PostgreSQL has pg_cron (it is not packaged for every version), and
# the test's own skip when it needs pg_cron and there is none.
package GamestatsTest;

use strict;
use warnings;
use Exporter 'import';
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

our @EXPORT = qw(gs_have_cron gs_require_cron gs_new_node);

# true when pg_cron's library is installed for the PostgreSQL under test
# (the tests run with that version's bin directory first in PATH)
sub gs_have_cron
{
	my $libdir = `pg_config --pkglibdir`;
	chomp $libdir;
	return -f "$libdir/pg_cron.so";
}

# for tests that are about pg_cron: skip the whole file, saying why
sub gs_require_cron
{
	plan skip_all => 'pg_cron is not packaged for this PostgreSQL version'
	  unless gs_have_cron();
	return;
}

# gs_new_node(NAME, INIT_OPTIONS...): an initialized, started node with
# pg_cron preloaded for database "postgres" when pg_cron is available
sub gs_new_node
{
	my ($name, %init) = @_;
	my $node = PostgreSQL::Test::Cluster->new($name);

	$node->init(%init);
	$node->append_conf('postgresql.conf', "max_worker_processes = 16\n");
	if (gs_have_cron())
	{
		$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'pg_cron'
cron.database_name = 'postgres'
cron.use_background_workers = on
});
	}
	$node->start;
	return $node;
}

1;
