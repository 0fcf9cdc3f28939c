# Prometheus metrics through Debian's postgres_exporter: the real
# prometheus-postgres-exporter, with contrib/postgres_exporter/queries.yaml,
# connected as a role that has only pg_monitor (and USAGE on schema
# gamestats), scraped over HTTP on 127.0.0.1.
#
# - a managed table whose runway is short, with a row in its default
#   partition and a failed last maintenance run, beside a healthy one;
# - a board whose last refresh failed, beside a healthy one, both scheduled
#   with pg_cron;
# - every value equals what the configuration says; no error text leaves
#   the database; the monitoring role cannot read the tables or boards;
# - the scrape answers while another session holds ACCESS EXCLUSIVE locks on
#   every table and board (the queries never wait for a lock).
use strict;
use warnings;
use Cwd qw(abs_path);
use File::Basename qw(dirname);
use HTTP::Tiny;
use IPC::Run;
use Time::HiRes qw(time usleep);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use GamestatsTest;

# the boards' schedules come from pg_cron (not packaged for every version)
gs_require_cron();

# test/deps.sh installs the exporter beside PostgreSQL 15, and
# test/pgchroot.sh into the chroots of the other versions: a missing
# exporter is a failure.
my $exporter = '/usr/bin/prometheus-postgres-exporter';
if (!-x $exporter)
{
	fail("$exporter is missing: test/deps.sh installs the Debian package prometheus-postgres-exporter");
	done_testing();
	exit;
}
my $queries = abs_path(dirname(__FILE__) . '/../../contrib/postgres_exporter/queries.yaml');
ok(-r $queries, "queries file $queries");

my $node = gs_new_node('exporter');

$node->safe_psql('postgres', q{
	CREATE EXTENSION pg_cron;
	CREATE EXTENSION pg_gamestats;
	CREATE ROLE game LOGIN;
	GRANT CREATE ON SCHEMA public TO game;
	GRANT USAGE ON SCHEMA cron TO game;
	CREATE ROLE gs_monitor LOGIN;
	GRANT pg_monitor TO gs_monitor;
	GRANT USAGE ON SCHEMA gamestats TO gs_monitor;
});

# kills: hourly partitions, none made ahead (runway under an hour), one row
# in the default partition; sessions: a week ahead, nothing in the default.
# weekly: a healthy board; broken: its source starts failing after the
# first fill.
$node->safe_psql('postgres', q{
	SET ROLE game;
	CREATE TABLE kills (at timestamptz NOT NULL, player_id bigint) PARTITION BY RANGE (at);
	SELECT gamestats.manage_partitions('kills', '1 hour', premake => 0);
	INSERT INTO kills VALUES (now(), 1), ('2097-01-01', 2);
	CREATE TABLE sessions (at timestamptz NOT NULL, player_id bigint) PARTITION BY RANGE (at);
	SELECT gamestats.manage_partitions('sessions', '1 day', premake => 7);
	SELECT count(*) FROM gamestats.run_maintenance();

	CREATE TABLE scores (player_id bigint PRIMARY KEY, score bigint);
	INSERT INTO scores SELECT i, i * 10 FROM generate_series(1, 50) i;
	CREATE TABLE feed_ok (ok boolean);
	INSERT INTO feed_ok VALUES (true);
	CREATE FUNCTION feed_check() RETURNS boolean LANGUAGE plpgsql STABLE AS $$
	BEGIN
	    IF NOT (SELECT ok FROM public.feed_ok) THEN
	        RAISE EXCEPTION 'secret row data 4242 in the feed';
	    END IF;
	    RETURN true;
	END $$;
	SELECT gamestats.create_leaderboard('weekly', 'SELECT player_id, score FROM scores');
	SELECT gamestats.create_leaderboard('broken',
	    'SELECT player_id, score FROM scores WHERE player_id <= 3 AND feed_check()');
	SELECT gamestats.schedule_refresh('weekly', '0 3 * * 1');
	SELECT gamestats.schedule_refresh('broken', '*/10 * * * *');
	UPDATE feed_ok SET ok = false;
	SELECT gamestats.refresh_leaderboard('broken', raise_error => false);
});
is($node->safe_psql('postgres',
	q{SELECT board || ':' || (last_error IS NOT NULL) FROM gamestats.leaderboards ORDER BY 1}),
	"broken:true\nweekly:false", 'the last refresh of broken failed');

# the monitoring role may read no game data
for my $rel (qw(kills scores weekly broken))
{
	my ($ret, $out, $err) = $node->psql('postgres', "SELECT * FROM $rel", extra_params => [ '-U', 'gs_monitor' ]);
	like($err, qr/permission denied for (table|materialized view) $rel/, "gs_monitor cannot read $rel");
}

# Another session takes ACCESS EXCLUSIVE on every table and board and keeps
# it; a maintenance run of kills then fails on its lock timeout.
my $locker = $node->background_psql('postgres');
$locker->query_safe(q{
	BEGIN;
	LOCK TABLE kills, sessions, scores IN ACCESS EXCLUSIVE MODE;
	ALTER MATERIALIZED VIEW weekly SET TABLESPACE pg_default;
	ALTER MATERIALIZED VIEW broken SET TABLESPACE pg_default;
});
is($node->safe_psql('postgres', q{
	SELECT string_agg(relation::regclass::text, ',' ORDER BY relation::regclass::text)
	  FROM pg_locks
	 WHERE mode = 'AccessExclusiveLock' AND granted
	   AND relation IN ('kills'::regclass, 'sessions'::regclass, 'weekly'::regclass, 'broken'::regclass)}),
	'broken,kills,sessions,weekly', 'tables and boards are locked by another session');
$node->safe_psql('postgres', q{
	SET ROLE game;
	SET gamestats.lock_timeout = '10ms';
	SELECT count(*) FROM gamestats.run_maintenance('kills', now => now() + interval '3 hours');
});
is($node->safe_psql('postgres',
	q{SELECT parent || ':' || (last_error IS NOT NULL) || ':' || default_rows FROM gamestats.managed_tables ORDER BY 1}),
	"kills:true:1\nsessions:false:0", 'the last run of kills failed; one row in its default partition');

# start the exporter
my $port = $ENV{GAMESTATS_EXPORTER_PORT} || PostgreSQL::Test::Cluster::get_free_port();
my $log = "$PostgreSQL::Test::Utils::tmp_check/exporter.log";
my $dsn = sprintf('host=%s port=%d user=gs_monitor dbname=postgres sslmode=disable',
	$node->host, $node->port);
# From 0.12 on the exporter's own stat_user_tables collector reads table
# sizes, which waits behind an ACCESS EXCLUSIVE lock (maintenance, a swap):
# it is turned off, as the README advises (0.11, Debian 12's, has none).
my @args = ("--web.listen-address=127.0.0.1:$port", "--extend.query-path=$queries");
my ($version) = (`$exporter --version 2>&1` =~ /version (\d+\.\d+)/);
push @args, '--no-collector.stat_user_tables' if defined $version && $version >= 0.12;
note("postgres_exporter $version: @args");
my $h;
# the exporter never outlives the test, also when a check dies halfway
END { $h->kill_kill if $h && $h->pumpable; }
{
	local $ENV{DATA_SOURCE_NAME} = $dsn;
	$h = IPC::Run::start([ $exporter, @args ], '<', \undef, '>', $log, '2>&1');
}
my $http = HTTP::Tiny->new(timeout => 30);
my $url = "http://127.0.0.1:$port/metrics";
my ($body, $scraped_at);
my $deadline = time() + $PostgreSQL::Test::Utils::timeout_default;
while (time() < $deadline)
{
	$scraped_at = time();
	my $res = $http->get($url);
	if ($res->{success} && $res->{content} =~ /^pg_up(?:\{[^}]*\})? 1$/m)
	{
		$body = $res->{content};
		last;
	}
	usleep(200_000);
}
ok(defined $body, "scraped $url")
  or diag(slurp_file($log));
$body //= '';

# Exported values, by metric name and (schema, table|board) labels.
my %m;
for my $line (split /\n/, $body)
{
	next unless $line =~ /^(pg_gamestats_\w+)\{([^}]*)\} (\S+)$/;
	my ($name, $labels, $value) = ($1, $2, $3);
	my %l = $labels =~ /(\w+)="([^"]*)"/g;
	$m{$name}{"$l{schema}." . ($l{table} // $l{board})} = $value;
}
note("scrape excerpt:\n" . join("\n", grep { /^pg_gamestats_/ } split /\n/, $body));

like($body, qr/^pg_exporter_user_queries_load_error\{[^}]*\} 0$/m, 'queries.yaml loaded');
like($body, qr/^pg_exporter_last_scrape_error 0$/m, 'every query of the scrape succeeded');
like($body, qr/^# TYPE pg_gamestats_table_runway_seconds gauge$/m, 'runway is a gauge');
for my $text (split /\n/, $node->safe_psql('postgres', q{
	SELECT last_error FROM gamestats.managed_tables WHERE last_error IS NOT NULL
	UNION ALL
	SELECT last_error FROM gamestats.leaderboards WHERE last_error IS NOT NULL}))
{
	ok(index($body, $text) < 0 && $body !~ /secret row data/, "error text not exported: $text");
}

is($node->safe_psql('postgres',
	q{SELECT count(*) FROM pg_locks WHERE NOT granted AND pid IN (SELECT pid FROM pg_stat_activity WHERE usename = 'gs_monitor')}),
	'0', 'nothing waited for a lock during the scrape');
$locker->query_safe('COMMIT');
$locker->quit;

# what the database says, read after the scrape
my %want;
for my $row (split /\n/, $node->safe_psql('postgres', q{
	SELECT t.parent,
	       (SELECT extract(epoch FROM max(range_to)) FROM gamestats.partitions p
	         WHERE p.parent = t.parent AND NOT is_default),
	       (SELECT count(*) FROM gamestats.partitions p WHERE p.parent = t.parent AND NOT is_default),
	       t.default_rows, extract(epoch FROM t.last_run), extract(epoch FROM t.last_duration),
	       (t.last_error IS NOT NULL)::int
	  FROM gamestats.managed_tables t}))
{
	my ($t, $end, $parts, $def, $run, $dur, $err) = split /\|/, $row;
	$want{"public.$t"} = { end => $end, partitions => $parts, default_rows => $def,
		last_run => $run, duration => $dur, error => $err };
}
for my $row (split /\n/, $node->safe_psql('postgres', q{
	SELECT board, rows, extract(epoch FROM last_refresh_at), last_refresh_ms / 1000,
	       (last_error IS NOT NULL)::int
	  FROM gamestats.leaderboards}))
{
	my ($b, $rows, $at, $dur, $err) = split /\|/, $row;
	$want{"public.$b"} = { rows => $rows, at => $at, duration => $dur, error => $err };
}

sub near
{
	my ($got, $want, $tolerance, $what) = @_;
	ok(defined $got && defined $want && abs($got - $want) <= $tolerance, $what)
	  or diag('got ' . ($got // 'nothing') . ', want ' . ($want // 'nothing') . " (within $tolerance)");
	return;
}

# tables
my $t = 'pg_gamestats_table';
for my $k ('public.kills', 'public.sessions')
{
	my $w = $want{$k};
	near($m{"${t}_runway_seconds"}{$k}, $w->{end} - $scraped_at, 5, "$k: runway");
	is($m{"${t}_partitions"}{$k}, $w->{partitions}, "$k: partitions");
	is($m{"${t}_default_rows"}{$k}, $w->{default_rows}, "$k: default rows");
	near($m{"${t}_last_run_timestamp_seconds"}{$k}, $w->{last_run}, 1e-5, "$k: time of the last run");
	near($m{"${t}_last_run_age_seconds"}{$k}, $scraped_at - $w->{last_run}, 5, "$k: age of the last run");
	near($m{"${t}_last_run_duration_seconds"}{$k}, $w->{duration}, 1e-9, "$k: duration of the last run");
	is($m{"${t}_last_run_error"}{$k}, $w->{error}, "$k: error flag");
}
ok($m{"${t}_runway_seconds"}{'public.kills'} < 86400, 'kills: runway under a day (the alert fires)');
ok($m{"${t}_runway_seconds"}{'public.sessions'} > 6 * 86400, 'sessions: runway of a week');
is($m{"${t}_default_rows"}{'public.kills'}, '1', 'kills: one row in the default partition');
is($m{"${t}_last_run_error"}{'public.kills'} . $m{"${t}_last_run_error"}{'public.sessions'},
	'10', 'error flags: kills failed, sessions did not');

# boards
my $b = 'pg_gamestats_board';
for my $k ('public.weekly', 'public.broken')
{
	my $w = $want{$k};
	is($m{"${b}_rows"}{$k}, $w->{rows}, "$k: rows");
	near($m{"${b}_last_refresh_timestamp_seconds"}{$k}, $w->{at}, 1e-5, "$k: time of the last refresh");
	near($m{"${b}_last_refresh_age_seconds"}{$k}, $scraped_at - $w->{at}, 5, "$k: age of the last refresh");
	near($m{"${b}_last_refresh_duration_seconds"}{$k}, $w->{duration}, 1e-9, "$k: duration of the last refresh");
	is($m{"${b}_last_refresh_error"}{$k}, $w->{error}, "$k: error flag");
}
is($m{"${b}_rows"}{'public.weekly'} . '/' . $m{"${b}_rows"}{'public.broken'}, '50/3',
	'rows of the boards at their last successful refresh');
is($m{"${b}_last_refresh_error"}{'public.broken'} . $m{"${b}_last_refresh_error"}{'public.weekly'},
	'10', 'error flags: broken failed, weekly did not');
is($m{"${b}_schedule_interval_seconds"}{'public.broken'}, '600', 'broken: refreshed every 10 minutes');
is($m{"${b}_schedule_interval_seconds"}{'public.weekly'}, '604800', 'weekly: refreshed once a week');

# a board without a schedule has no interval; dropped objects disappear
$node->safe_psql('postgres', q{
	SET ROLE game;
	SELECT gamestats.drop_leaderboard('broken');
	DROP TABLE sessions;
	SELECT cron.unschedule(jobid) FROM cron.job WHERE command LIKE '%weekly%';
});
$body = $http->get($url)->{content} // '';
like($body, qr/^pg_gamestats_board_schedule_interval_seconds\{board="weekly",[^}]*\} NaN$/m,
	'an unscheduled board: interval NaN');
unlike($body, qr/board="broken"|table="sessions"/, 'dropped board and table are gone');
like($body, qr/^pg_gamestats_table_partitions\{[^}]*table="kills"\} \d+$/m, 'kills still there');

# stop the exporter
$h->signal('TERM');
$h->finish;
undef $h;
ok(1, 'exporter stopped');

$node->stop;
done_testing();
