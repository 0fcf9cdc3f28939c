/*-------------------------------------------------------------------------
 *
 * board.h
 *	  One leaderboard as the C code sees it, and the contract between the
 *	  code that writes boards (leaderboard.c, leaderboard_swap.c) and the
 *	  code that reads them (query.c, the views of leaderboards.sql).
 *
 * The contract
 * ------------
 * Configuration.  gamestats.leaderboard_config holds one row per board,
 * keyed by the board's OID.  Its definition columns (player_column,
 * score_column, descending, tiebreak_column, segment_column, rank_type,
 * query) are written once, by create_leaderboard(), and never change: the
 * readers below cache them per backend, until a relcache invalidation of
 * the board (ALTER, CREATE/DROP INDEX, rename, drop) or of the
 * configuration table.  Its state columns (rows, segments, last_refresh_at,
 * last_refresh_ms, last_strategy, jobid, job_name, job_user, job_command)
 * change with every refresh and schedule_refresh(): they are read afresh
 * each time, never cached.  board.c is the one reader of a board's rows;
 * leaderboard.c writes them (through SPI, as the tables' owner), and the
 * drop guard (extension_guard.c) only counts them.
 *
 * The board.  A materialized view whose first column is GS_RANK_COLUMN, a
 * bigint computed by the window function of its GsRankType over the user's
 * query, PARTITION BY the segment column, ORDER BY score (descending or
 * not), then tiebreak ascending, then -- for 'ordinal' -- player ascending.
 * Then come the player, score, tiebreak and segment columns, then the
 * query's other columns.  Rows whose player, score or segment is null, and
 * rows whose score is NaN, are left out.
 *
 * The indexes.  gs_board_indexes[] lists them: the unique player index on
 * ([segment,] player), the rank index on ([segment,] rank, player) and the
 * score index on ([segment,] score).  create_leaderboard() makes them,
 * named <board>_<suffix>.  Readers find an index by its key columns, never
 * by its name (an owner may rename or recreate one): the first index of the
 * board that is a valid btree on exactly those columns, in that order, each
 * ascending, with its type's default operator class and its column's
 * collation, no expression and no predicate -- and unique for the player
 * index.  The query functions need the player and rank indexes; a swap
 * refresh rebuilds every index of the board, and reports a duplicate
 * player through the player index.
 *
 * Segment keys.  gamestats.leaderboard_segment holds one row per segment of
 * a segmented board, keyed by the segment's stored form: the SQL cast
 * segment::text (GS_SEGMENT_TEXT_SQL), evaluated under the fixed settings
 * of gs_begin_canonical_output() (util.c), so that the form depends on
 * neither the session that refreshed nor the one that reads.  Values that
 * still share one text form are counted together.  Readers turn a value
 * into that form with the same cast and settings (board.c), and when the
 * text misses -- '1.0' for a segment stored as '1.00' -- compare the
 * stored segments as values of the column's type.
 *
 * Sizes.  rows and segments in leaderboard_config, and leaderboard_segment,
 * are rewritten in the refresh's own transaction, so they commit with the
 * board's new contents.
 *
 *-------------------------------------------------------------------------
 */
#ifndef GAMESTATS_BOARD_H
#define GAMESTATS_BOARD_H

#include "utils/rel.h"

/* The board's own first column. */
#define GS_RANK_COLUMN "rank"

/* The stored form of a segment value, in SQL: format with the column. */
#define GS_SEGMENT_TEXT_SQL "%s::pg_catalog.text"

typedef enum GsRankType
{
	GS_RANK_COMPETITION,		/* 1, 2, 2, 4: rank() */
	GS_RANK_DENSE,				/* 1, 2, 2, 3: dense_rank() */
	GS_RANK_ORDINAL				/* 1, 2, 3, 4: row_number() */
} GsRankType;

/* The columns a board's configuration names, and its rank column. */
typedef enum GsColumn
{
	GS_COL_PLAYER,
	GS_COL_SCORE,
	GS_COL_TIEBREAK,			/* optional */
	GS_COL_SEGMENT,				/* optional */
	GS_COL_RANK,				/* always GS_RANK_COLUMN */
	GS_NUM_COLUMNS
} GsColumn;

/* The board's indexes, by role. */
typedef enum GsIndexRole
{
	GS_INDEX_PLAYER,
	GS_INDEX_RANK,
	GS_INDEX_SCORE,
	GS_NUM_INDEXES
} GsIndexRole;

typedef struct GsIndexSpec
{
	const char *role;			/* "player", in messages */
	const char *suffix;			/* of the name create_leaderboard gives it */
	bool		unique;
	int			ncolumns;		/* key columns after the segment, if any */
	GsColumn	columns[2];
} GsIndexSpec;

extern const GsIndexSpec gs_board_indexes[GS_NUM_INDEXES];

/*
 * One board.  gs_board_get() and gs_board_lookup() fill the definition;
 * gs_board_open() the layout too.  Each call returns a fresh copy, in the
 * caller's memory context.
 */
typedef struct GsBoard
{
	Oid			relid;
	char	   *name;			/* "schema"."board", quoted as needed */
	/* the definition, from gamestats.leaderboard_config */
	const char *column[GS_NUM_COLUMNS]; /* names; NULL: no such column */
	bool		descending;
	GsRankType	rank_type;
	Oid			source;			/* live boards: the table ranked (live.h) */
	/* the layout of the relation (gs_board_open only) */
	AttrNumber	attno[GS_NUM_COLUMNS];	/* InvalidAttrNumber: no such column */
	Oid			segment_type;	/* InvalidOid: not segmented */
	Oid			segment_collation;
	Oid			index[GS_NUM_INDEXES];	/* InvalidOid: none found */
} GsBoard;

#define gs_board_segmented(b)	((b)->column[GS_COL_SEGMENT] != NULL)
#define gs_board_live(b)		OidIsValid((b)->source)

/* The pg_cron job of a board, as schedule_refresh() made it. */
typedef struct GsBoardJob
{
	bool		has_job;		/* jobid is set */
	int64		jobid;
	char	   *name;			/* NULL if not recorded */
	char	   *user;
	char	   *command;
} GsBoardJob;

extern GsRankType gs_rank_type_parse(const char *name);
extern const char *gs_rank_type_name(GsRankType type);
extern const char *gs_rank_type_function(GsRankType type);
extern const char *gs_board_column_arg(GsColumn col);

extern GsBoard *gs_board_lookup(Oid relid);
extern GsBoard *gs_board_get(Oid relid);
extern GsBoard *gs_board_open(Relation rel);
extern void gs_board_not_a_board(Oid relid);
extern void gs_board_check_columns(const GsBoard *b);
extern bool gs_board_is_index(const GsBoard *b, Relation rel, Oid indexoid,
							  GsIndexRole role);
extern bool gs_board_read_job(Oid relid, GsBoardJob *job);
extern int64 gs_board_rows(const GsBoard *b, Datum segment);

#endif							/* GAMESTATS_BOARD_H */
