# The README runs, and its Reference is the extension's.
#
# 1. Every fenced block of README.md whose info string is "sql" runs, in the
#    order of the file, each in its own psql session with ON_ERROR_STOP, in
#    one fresh database "game" of a cluster with pg_cron preloaded
#    (cron.database_name = 'game', as the README's postgresql.conf says), as
#    a superuser.  Any error fails the test.  A block fenced "```sql norun"
#    is not run (for a snippet that shows an error on purpose); other
#    languages (sh, ini, js, python, plain output) are never run.  Without
#    pg_cron (PostgreSQL 19) the snippets are skipped, with a message: they
#    schedule jobs from the first one on.
# 2. The Reference section matches the installed extension: every function
#    and procedure of schema gamestats with every argument, type, default
#    and result; every view and table with every column and type; every
#    gamestats.* setting with its default and range; every event trigger
#    with its event and function.  Runs with or without pg_cron.
# 3. The Troubleshooting entries are keyed by messages the code raises:
#    every message in the bold key of an entry (a code span of three words
#    or more, not a command) is in src/*.c, where "…", "...", a lone N or M
#    and a quoted name stand for what the code fills in; PostgreSQL's own
#    messages are recognised by the fragments in @postgres_messages.
use strict;
use warnings;
use File::Basename qw(dirname);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use GamestatsTest;

my $readme_path = dirname(__FILE__) . '/../../README.md';
open my $fh, '<', $readme_path or die "cannot open $readme_path: $!";
my @lines = <$fh>;
close $fh;
chomp @lines;

# ---------------------------------------------------------------------------
# The snippets
# ---------------------------------------------------------------------------

# [line number of the fence, text] of every ```sql block not marked norun
my @snippets;
{
	my ($text, $start, $run);
	for my $i (0 .. $#lines)
	{
		my $l = $lines[$i];
		if (!defined $text)
		{
			next unless $l =~ /^\s*```\s*sql\b(.*)$/i;
			my $info = $1;
			$info =~ s/^\s+|\s+$//g;
			# only "sql" and "sql norun": a typo must not hide a snippet
			die "README.md line " . ($i + 1) . ": unknown sql fence \"$l\"\n"
			  unless $info eq '' || $info eq 'norun';
			($text, $start, $run) = ('', $i + 1, $info eq '');
		}
		elsif ($l =~ /^\s*```\s*$/)
		{
			push @snippets, [ $start, $text ] if $run;
			undef $text;
		}
		else
		{
			$text .= "$l\n";
		}
	}
	die "README.md: sql block at line $start is not closed\n" if defined $text;
}
cmp_ok(scalar(@snippets), '>=', 10, 'README.md has its sql snippets');

my $node = gs_new_node('readme');
$node->safe_psql('postgres', 'CREATE DATABASE game');
$node->safe_psql('postgres', 'CREATE DATABASE reference');

SKIP:
{
	skip 'pg_cron is not packaged for this PostgreSQL: the README snippets, which schedule jobs, are skipped', 1
	  unless gs_have_cron();

	$node->append_conf('postgresql.conf', "cron.database_name = 'game'\n");
	$node->restart;

	for my $s (@snippets)
	{
		my ($line, $sql) = @$s;
		my ($out, $err) = ('', '');
		my $ret = $node->psql('game', $sql,
			stdout => \$out, stderr => \$err, on_error_stop => 1);
		ok($ret == 0 && $err !~ /^(?:psql:[^\n]*: )?(?:ERROR|FATAL|PANIC):/m,
			"README.md snippet at line $line runs")
		  or diag("psql exited with $ret:\n"
			  . ($err =~ s/^psql:<stdin>:(\d+):/"README.md line " . ($line + $1) . ":"/gemr));
		note("README.md snippet at line $line: $1") while $err =~ /(WARNING:[^\n]*)/g;
	}
}

# ---------------------------------------------------------------------------
# The Reference
# ---------------------------------------------------------------------------

# the lines of "## Reference", up to the next "## " section
my @ref;
{
	my $in = 0;
	my $sections = 0;
	for my $l (@lines)
	{
		if ($l =~ /^## /)
		{
			$in = $l =~ /^## Reference\s*$/;
			$sections++ if $in;
			next;
		}
		push @ref, $l if $in;
	}
	is($sections, 1, 'README.md has one Reference section');
	is(scalar(grep { /^## Troubleshooting\s*$/ } @lines), 1,
		'README.md has one Troubleshooting section');
}

# types as format_type() writes them
sub norm_type
{
	my ($t) = @_;
	$t = lc $t;
	$t =~ s/\btimestamptz\b/timestamp with time zone/g;
	$t =~ s/\bint4\b|\bint\b/integer/g;
	$t =~ s/\bint8\b/bigint/g;
	$t =~ s/\bbool\b/boolean/g;
	$t =~ s/\bfloat8\b/double precision/g;
	$t =~ s/\s+/ /g;
	$t =~ s/\s*\(\s*/(/g;
	$t =~ s/\s*\)/)/g;
	$t =~ s/^\s+|\s+$//g;
	return $t;
}

# "name type[ DEFAULT value]", one per argument, from the README's table
# rows or from pg_get_function_arguments()
sub norm_arg
{
	my ($name, $type, $default) = @_;
	my $a = "$name " . norm_type($type);
	$a .= " DEFAULT $default" if defined $default && $default ne '';
	return $a;
}

sub catalog_args
{
	my ($args) = @_;
	my @out;
	# split at the commas outside quoted defaults
	for my $a (split /,\s+(?=(?:[^']*'[^']*')*[^']*$)/, $args)
	{
		$a =~ s/^(?:IN|INOUT|OUT|VARIADIC)\s+//;
		$a =~ /^(\w+) (.+?)(?: DEFAULT (.+))?$/ or die "cannot read argument \"$a\"";
		my ($name, $type, $default) = ($1, $2, $3);
		$default =~ s/::[a-z][a-z0-9_ ]*(?:\[\])?$//i while defined $default && $default =~ /::[a-z][a-z0-9_ ]*(?:\[\])?$/i;
		push @out, norm_arg($name, $type, $default);
	}
	return \@out;
}

# the README's entries: "#### gamestats.name [(view|table|procedure)]"
my (%doc_func, %doc_rel, @doc_settings, @doc_triggers);
{
	my ($entry, $section);
	for my $l (@ref)
	{
		if ($l =~ /^### (.*?)\s*$/)
		{
			$section = $1;
			undef $entry;
			next;
		}
		if ($l =~ /^#### gamestats\.(\w+)(?: \((view|table|procedure)\))?\s*$/)
		{
			my ($name, $kind) = ($1, $2 // 'function');
			if ($kind eq 'view' || $kind eq 'table')
			{
				die "README.md: two Reference entries for gamestats.$name\n" if $doc_rel{$name};
				$entry = $doc_rel{$name} = { kind => $kind, cols => [] };
			}
			else
			{
				die "README.md: two Reference entries for gamestats.$name\n" if $doc_func{$name};
				$entry = $doc_func{$name} = { kind => $kind, args => [], returns => undef };
			}
			next;
		}
		if ($l =~ /^####/)
		{
			undef $entry;
			next;
		}
		if ($entry && $entry->{kind} =~ /^(?:view|table)$/)
		{
			push @{ $entry->{cols} }, "$1 " . norm_type($2)
			  if $l =~ /^\|\s*`(\w+)`\s*\|\s*`([^`]+)`\s*\|/;
		}
		elsif ($entry)
		{
			if ($l =~ /^\|\s*`(\w+)`\s*\|\s*`([^`]+)`\s*\|\s*(?:`([^`]*)`)?\s*\|/)
			{
				push @{ $entry->{args} }, norm_arg($1, $2, $3);
			}
			elsif (!defined $entry->{returns} && $l =~ /^Returns `([^`]+)`/)
			{
				$entry->{returns} = norm_type($1);
			}
		}
		elsif (defined $section && $section eq 'Settings'
			&& $l =~ /^\|\s*`(gamestats\.\w+)`\s*\|\s*`([^`]*)`\s*\|\s*`([^`]*)`\s*\|\s*`([^`]*)`\s*\|/)
		{
			push @doc_settings, "$1 default $2 min $3 max $4";
		}
		elsif (defined $section && $section eq 'Event triggers'
			&& $l =~ /^\|\s*`(\w+)`\s*\|\s*`(\w+)`\s*\|\s*`([\w.]+)\(\)`\s*\|/)
		{
			push @doc_triggers, "$1 on $2 executes $3";
		}
	}
}

$node->safe_psql('reference', 'CREATE EXTENSION pg_gamestats');

# functions and procedures
my %cat_func;
for my $row (split /\n/, $node->safe_psql('reference', q{
	SELECT p.proname, p.prokind, pg_get_function_arguments(p.oid),
	       coalesce(pg_get_function_result(p.oid), '')
	  FROM pg_proc p WHERE p.pronamespace = 'gamestats'::regnamespace ORDER BY 1}))
{
	my ($name, $kind, $args, $result) = split /\|/, $row, 4;
	$cat_func{$name} = { kind => $kind eq 'p' ? 'procedure' : 'function',
		args => catalog_args($args), returns => $result eq '' ? undef : norm_type($result) };
}
is_deeply([ sort keys %doc_func ], [ sort keys %cat_func ],
	'the Reference has an entry for every function and procedure, and no other');
for my $name (sort keys %cat_func)
{
	my ($doc, $cat) = ($doc_func{$name}, $cat_func{$name});
	next unless $doc;
	is($doc->{kind}, $cat->{kind}, "gamestats.$name is documented as a $cat->{kind}");
	is_deeply($doc->{args}, $cat->{args}, "gamestats.$name: arguments, types and defaults");
	is($doc->{returns}, $cat->{returns}, "gamestats.$name: result type");
}

# views and tables
my %cat_rel;
for my $row (split /\n/, $node->safe_psql('reference', q{
	SELECT c.relname, c.relkind, a.attname, format_type(a.atttypid, a.atttypmod)
	  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
	 WHERE c.relnamespace = 'gamestats'::regnamespace AND c.relkind IN ('r', 'v')
	 ORDER BY c.relname, a.attnum}))
{
	my ($rel, $kind, $col, $type) = split /\|/, $row, 4;
	$cat_rel{$rel} //= { kind => $kind eq 'v' ? 'view' : 'table', cols => [] };
	push @{ $cat_rel{$rel}{cols} }, "$col " . norm_type($type);
}
is_deeply([ sort keys %doc_rel ], [ sort keys %cat_rel ],
	'the Reference has an entry for every view and table, and no other');
for my $rel (sort keys %cat_rel)
{
	next unless $doc_rel{$rel};
	is($doc_rel{$rel}{kind}, $cat_rel{$rel}{kind}, "gamestats.$rel is documented as a $cat_rel{$rel}{kind}");
	is_deeply($doc_rel{$rel}{cols}, $cat_rel{$rel}{cols}, "gamestats.$rel: columns and types");
}

# settings (the library defines them when it loads)
my @cat_settings = split /\n/, $node->safe_psql('reference', q{
	LOAD '$libdir/pg_gamestats';
	SELECT name || ' default ' || boot_val || coalesce(unit, '')
	       || ' min ' || min_val || coalesce(unit, '') || ' max ' || max_val || coalesce(unit, '')
	  FROM pg_settings WHERE name LIKE 'gamestats.%' ORDER BY name});
is_deeply([ sort @doc_settings ], [ sort @cat_settings ],
	'the Reference lists every setting with its default, minimum and maximum');

# event triggers of the extension
my @cat_triggers = split /\n/, $node->safe_psql('reference', q{
	SELECT t.evtname || ' on ' || t.evtevent || ' executes ' || t.evtfoid::regproc::text
	  FROM pg_event_trigger t
	  JOIN pg_depend d ON d.classid = 'pg_event_trigger'::regclass AND d.objid = t.oid
	       AND d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
	  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_gamestats'
	 ORDER BY 1});
is_deeply([ sort @doc_triggers ], [ sort @cat_triggers ],
	'the Reference lists every event trigger with its event and function');

# ---------------------------------------------------------------------------
# The Troubleshooting keys
# ---------------------------------------------------------------------------

# messages that PostgreSQL raises, not pg_gamestats
my @postgres_messages = (
	'canceling statement due to lock timeout',
	'because it does not have a replica identity',
	'permission denied for schema',
	'because other objects depend on it',
	'violates partition constraint',
	'does not exist',
	'because it is being used by active queries in this session',
	'could not access file');

# the C sources with their string literals joined and unescaped
my $src = '';
for my $f (glob(dirname(__FILE__) . '/../../src/*.c'))
{
	open my $c, '<', $f or die "cannot open $f: $!";
	local $/;
	$src .= <$c>;
	close $c;
}
$src =~ s/"\s*\n\s*"//g;
$src =~ s/\\"/"/g;

my @keys;
{
	my ($in, $para) = (0, '');
	for my $l (@lines, '')
	{
		if ($l =~ /^## /)
		{
			$in = $l =~ /^## Troubleshooting\s*$/;
			next;
		}
		next unless $in;
		if ($l =~ /^\s*$/)
		{
			push @keys, $1 if $para =~ /^\*\*(.*?)\*\*/s;
			$para = '';
			next;
		}
		$para .= "$l\n";
	}
}
cmp_ok(scalar(@keys), '>=', 30, 'README.md has its troubleshooting entries');
for my $key (@keys)
{
	while ($key =~ /`([^`]+)`/g)
	{
		my $msg = $1;
		$msg =~ s/\s+/ /g;
		next if ($msg =~ tr/ //) < 2 || $msg =~ /^(?:make|DROP|ALTER|CREATE|SELECT) /;
		next if grep { index($msg, $_) >= 0 } @postgres_messages;
		my @missing = grep { length($_) >= 8 && index($src, $_) < 0 }
		  map { s/^\s+|\s+$//gr } split /"[^"]*"|…|\.\.\.|\bN\b|\bM\b/, $msg;
		ok(!@missing, "troubleshooting key `$msg` is raised by src/")
		  or diag('not found in src/*.c: ' . join(' | ', @missing));
	}
}

$node->stop;
done_testing();
