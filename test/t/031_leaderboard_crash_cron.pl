# Leaderboards across crashes, on a standby, and under pg_cron.
#
# - A crash in the middle of a swap refresh (while the new ranking is being
#   built, and after the switch but before commit) leaves the old board,
#   readable and with consistent indexes; the next refresh works and leaves
#   no pg_temp_* relation behind.
# - A refresh on a hot standby is a clean error.
# - pg_cron runs a scheduled refresh.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use GamestatsTest;

my $node = gs_new_node('lb_primary', allows_streaming => 1);

$node->safe_psql('postgres', q{
	CREATE EXTENSION pg_gamestats;
	CREATE EXTENSION amcheck;
	CREATE TABLE src (player_id int, score int, nick text);
	INSERT INTO src SELECT i, (i * 7) % 1000, repeat(md5(i::text), 100) FROM generate_series(1, 20000) i;
	-- the board's query can be slowed down on demand
	CREATE TABLE slow (seconds float8);
	INSERT INTO slow VALUES (0);
	CREATE FUNCTION maybe_sleep() RETURNS boolean LANGUAGE sql VOLATILE
	    AS $$ SELECT pg_catalog.pg_sleep(seconds) IS NOT NULL FROM public.slow $$;
	SELECT gamestats.create_leaderboard('board',
	    'SELECT player_id, score, nick FROM src WHERE maybe_sleep()');
});

my $summary_sql = q{SELECT count(*) || '/' || sum(score) || '/' || sum(rank) FROM board};
my $old = $node->safe_psql('postgres', $summary_sql);
is($old, '20000/9990000/' . $node->safe_psql('postgres',
		'SELECT sum(r) FROM (SELECT rank() OVER (ORDER BY score DESC) r FROM src) s'),
	'board built');

# board readable, indexes consistent with the heap, no transient relation
sub check_board
{
	my ($expect, $what) = @_;
	is($node->safe_psql('postgres', $summary_sql), $expect, "$what: board contents");
	is($node->safe_psql('postgres', q{
		SELECT count(*) FROM pg_index i, LATERAL (SELECT bt_index_check(i.indexrelid, true)) c
		 WHERE i.indrelid = 'board'::regclass}), '3', "$what: the three indexes match the heap");
	is($node->safe_psql('postgres',
		q{SELECT count(*) FROM pg_class WHERE relname LIKE 'pg\_temp\_%'}),
		'0', "$what: no pg_temp_* relation left");
	return;
}

# 1. crash while the new ranking is being built
$node->safe_psql('postgres', q{
	UPDATE src SET score = score + 5000 WHERE player_id % 100 = 0;
	UPDATE slow SET seconds = 0.5;
});
my $bg = $node->background_psql('postgres', on_error_stop => 0);
$bg->query_until(qr/building/, qq{\\echo building\nSELECT gamestats.refresh_leaderboard('board');\n});
ok($node->poll_query_until('postgres',
	q{SELECT count(*) = 1 FROM pg_stat_activity WHERE query LIKE '%refresh_leaderboard%' AND wait_event = 'PgSleep'}),
	'refresh is building');
$node->stop('immediate');
eval { $bg->quit; };
$node->start;
check_board($old, 'after a crash during the build');

# 2. crash after the switch, before commit
$node->safe_psql('postgres', 'UPDATE slow SET seconds = 0');
$bg = $node->background_psql('postgres', on_error_stop => 0);
$bg->query_safe('BEGIN');
$bg->query_safe(q{SELECT gamestats.refresh_leaderboard('board')});
is($bg->query_safe(q{SELECT count(*) FROM board WHERE score >= 5000}), '200',
	'switched in, not committed');
$node->stop('immediate');
eval { $bg->quit; };
$node->start;
check_board($old, 'after a crash between switch and commit');

# 3. the next refresh works
is($node->safe_psql('postgres', q{SELECT gamestats.refresh_leaderboard('board')}), '20000',
	'refresh after the crashes');
my $new = $node->safe_psql('postgres', $summary_sql);
isnt($new, $old, 'new contents');
check_board($new, 'after the next refresh');
is($node->safe_psql('postgres', q{SELECT player_id || ':' || rank FROM board WHERE score >= 5000 ORDER BY rank, player_id LIMIT 1}),
	'700:1', 'moved players on top (20 tie at 5900)');

# 4. a hot standby refuses refreshes cleanly and serves the board
$node->backup('b1');
my $standby = PostgreSQL::Test::Cluster->new('lb_standby');
$standby->init_from_backup($node, 'b1', has_streaming => 1);
$standby->start;
$node->wait_for_catchup($standby);
is($standby->safe_psql('postgres', $summary_sql), $new, 'standby serves the board');
my ($ret, $stdout, $stderr) = $standby->psql('postgres',
	q{SELECT gamestats.refresh_leaderboard('board')});
isnt($ret, 0, 'refresh on a standby fails');
like($stderr, qr/ERROR:  cannot refresh a leaderboard during recovery/, 'with a clear error');
$standby->stop;

# 5. pg_cron runs a scheduled swap refresh
SKIP:
{
	skip 'pg_cron is not packaged for this PostgreSQL version', 5 unless gs_have_cron();
	$node->safe_psql('postgres', q{
		CREATE EXTENSION pg_cron;
		UPDATE src SET score = 100000 WHERE player_id = 4242;
	});
	my $jobid = $node->safe_psql('postgres', q{SELECT gamestats.schedule_refresh('board', '* * * * *')});
	is($node->safe_psql('postgres', q{SELECT schedule FROM gamestats.leaderboards}), '* * * * *',
		'schedule shown in gamestats.leaderboards');
	# pg_cron 1.4 runs jobs at minute boundaries
	ok($node->poll_query_until('postgres', q{SELECT rank FROM board WHERE player_id = 4242}, '1'),
		'the scheduled refresh ran');
	ok($node->poll_query_until('postgres',
		qq{SELECT count(*) > 0 FROM cron.job_run_details WHERE jobid = $jobid AND status = 'succeeded'}),
		'pg_cron recorded the run as succeeded');
	is($node->safe_psql('postgres', q{SELECT last_strategy || '/' || coalesce(last_error, 'no error') FROM gamestats.leaderboards}),
		'swap/no error', 'state of the scheduled refresh');
	$node->safe_psql('postgres', q{SELECT gamestats.drop_leaderboard('board')});
	is($node->safe_psql('postgres', q{SELECT count(*) FROM cron.job}), '0', 'drop_leaderboard removed the job');
}

$node->stop;
done_testing();
