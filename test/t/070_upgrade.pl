# Upgrade paths: every installable older version of pg_gamestats, updated
# with ALTER EXTENSION ... UPDATE, must end with the same objects as a fresh
# install of the current version.  Released versions are frozen in
# sql/versions/ beside their upgrade scripts; this test picks up each new one.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('upgrade');
$node->init;
$node->start;

my $default = $node->safe_psql('postgres',
	"SELECT default_version FROM pg_available_extensions WHERE name = 'pg_gamestats'");
is($default, '0.1.0', 'the default version is the one the control file names');

# what a database has after CREATE EXTENSION: every member object, described
my $describe = q{
	SELECT string_agg(pg_describe_object(classid, objid, objsubid), E'\n'
	                  ORDER BY pg_describe_object(classid, objid, objsubid))
	  FROM pg_depend
	 WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
	   AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pg_gamestats')};
my $signatures = q{
	SELECT string_agg(p.oid::regprocedure::text || ' ' || pg_get_function_result(p.oid)
	                  || ' ' || p.provolatile::text || p.proisstrict::text, E'\n' ORDER BY 1)
	  FROM pg_proc p WHERE p.pronamespace = 'gamestats'::regnamespace};

$node->safe_psql('postgres', 'CREATE DATABASE fresh');
$node->safe_psql('fresh', 'CREATE EXTENSION pg_gamestats');
my $want_objects = $node->safe_psql('fresh', $describe);
my $want_sigs = $node->safe_psql('fresh', $signatures);
like($want_objects, qr/function gamestats\.run_maintenance/, 'a fresh install has its functions');

# installing the current version by name, and an UPDATE with nothing to do
$node->safe_psql('postgres', "CREATE DATABASE named");
$node->safe_psql('named', "CREATE EXTENSION pg_gamestats VERSION '$default'");
$node->safe_psql('named', 'ALTER EXTENSION pg_gamestats UPDATE');
is($node->safe_psql('named', "SELECT extversion FROM pg_extension WHERE extname = 'pg_gamestats'"),
	$default, 'ALTER EXTENSION UPDATE keeps the current version');
is($node->safe_psql('named', $describe), $want_objects, 'same objects as a fresh install');

# every older version with a path to the current one
my @older = grep { $_ ne '' && $_ ne $default } split /\n/, $node->safe_psql('postgres', q{
	SELECT source FROM pg_extension_update_paths('pg_gamestats')
	 WHERE target = (SELECT default_version FROM pg_available_extensions WHERE name = 'pg_gamestats')
	   AND path IS NOT NULL ORDER BY 1});
note('older versions with an upgrade path: ' . (@older ? join(', ', @older) : 'none yet'));
foreach my $v (@older)
{
	my $db = "from_" . ($v =~ s/\W/_/gr);
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->safe_psql($db, "CREATE EXTENSION pg_gamestats VERSION '$v'");
	$node->safe_psql($db, 'ALTER EXTENSION pg_gamestats UPDATE');
	is($node->safe_psql($db, "SELECT extversion FROM pg_extension WHERE extname = 'pg_gamestats'"),
		$default, "$v updates to $default");
	is($node->safe_psql($db, $describe), $want_objects, "$v updated has the objects of a fresh install");
	is($node->safe_psql($db, $signatures), $want_sigs, "$v updated has the function signatures of a fresh install");
}

# every frozen script in sql/versions is installed and known to PostgreSQL
my $versions = $node->safe_psql('postgres',
	"SELECT string_agg(version, ',' ORDER BY version) FROM pg_available_extension_versions WHERE name = 'pg_gamestats'");
my @frozen = map { m{pg_gamestats--([^-]+)\.sql$} ? $1 : () } glob('sql/versions/pg_gamestats--*.sql');
my %all = map { $_ => 1 } (@frozen, $default);
is($versions, join(',', sort keys %all),
	'installable versions: the frozen ones in sql/versions and the current one');

$node->stop;
done_testing();
