# A swap refresh leaves the board's size statistics in pg_class true to its
# new storage: relpages, relallvisible and, from PostgreSQL 18 on,
# relallfrozen match what the visibility map says, even when the old board
# had been vacuumed and frozen (whose counts would otherwise stay behind).
# Every page that holds rows went in all-visible.  (From PostgreSQL 16 on a
# bulk insert may extend the file by empty pages past the last row; those
# count in relpages and are not all-visible, as after a plain REFRESH.)
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use GamestatsTest;

my $node = gs_new_node('swap_statistics');
my $v = $node->safe_psql('postgres', 'SHOW server_version_num');

$node->safe_psql('postgres', q{
	CREATE EXTENSION pg_gamestats;
	CREATE EXTENSION pg_visibility;
	CREATE TABLE src (player_id int, score int);
	INSERT INTO src SELECT i, i % 997 FROM generate_series(1, 20000) i;
	SELECT gamestats.create_leaderboard('board', 'SELECT player_id, score FROM src');
	VACUUM (FREEZE) board;
	INSERT INTO src SELECT i, i % 991 FROM generate_series(20001, 50000) i;
	SELECT gamestats.refresh_leaderboard('board');
});

my $frozen_col = $v >= 180000 ? 'c.relallfrozen' : 'NULL::int';
my $frozen_vm = $v >= 180000 ? 'm.all_frozen' : 'NULL::int';
my $stats = qq{
	SELECT c.relpages = pg_relation_size('board') / current_setting('block_size')::int,
	       c.relallvisible = m.all_visible,
	       $frozen_col IS NOT DISTINCT FROM $frozen_vm,
	       m.all_visible = (SELECT count(DISTINCT (ctid::text::point)[0]) FROM board)
	  FROM pg_class c, pg_visibility_map_summary('board') m
	 WHERE c.oid = 'board'::regclass};
is($node->safe_psql('postgres', $stats), 't|t|t|t',
	'after a swap: relpages, relallvisible and relallfrozen describe the new storage; its pages with rows are all-visible');
is($node->safe_psql('postgres', 'SELECT count(*) FROM board'), '50000', 'the board has every row');

# and again after the board was frozen once more, at its new size
$node->safe_psql('postgres', q{
	VACUUM (FREEZE) board;
	DELETE FROM src WHERE player_id > 10000;
	SELECT gamestats.refresh_leaderboard('board');
});
is($node->safe_psql('postgres', $stats), 't|t|t|t', 'the same after a refresh that shrank the board');

$node->stop;
done_testing();
