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

our @EXPORT = qw(gs_have_cron gs_require_cron gs_have_citus gs_new_node);

# true when pg_cron's library is installed for the PostgreSQL under test
# (the tests run with that version's bin directory first in PATH)
sub gs_have_cron
{
	my $libdir = `pg_config --pkglibdir`;
	chomp $libdir;
	return -f "$libdir/pg_cron.so";
}

# true when Citus is installed for the PostgreSQL under test (built by
# hand: Debian does not package it)
sub gs_have_citus
{
	my $sharedir = `pg_config --sharedir`;
	chomp $sharedir;
	return -f "$sharedir/extension/citus.control";
}

# for tests that are about pg_cron: skip the whole file, saying why
sub gs_require_cron
{
	plan skip_all => 'pg_cron is not packaged for this PostgreSQL version'
	  unless gs_have_cron();
	return;
}

# gs_new_node(NAME, INIT_OPTIONS...): an initialized, started node with
# pg_cron preloaded for database "postgres" when pg_cron is available;
# with citus => 1, Citus preloaded first
sub gs_new_node
{
	my ($name, %init) = @_;
	my $citus = delete $init{citus};
	my $node = PostgreSQL::Test::Cluster->new($name);
	my @preload = ($citus ? ('citus') : (), gs_have_cron() ? ('pg_cron') : ());

	$node->init(%init);
	$node->append_conf('postgresql.conf', "max_worker_processes = 16\n");
	$node->append_conf('postgresql.conf',
		"shared_preload_libraries = '" . join(',', @preload) . "'\n")
	  if @preload;
	if (gs_have_cron())
	{
		$node->append_conf('postgresql.conf', qq{
cron.database_name = 'postgres'
cron.use_background_workers = on
});
	}
	$node->start;
	return $node;
}

1;
