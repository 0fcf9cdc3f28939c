/*-------------------------------------------------------------------------
 *
 * leaderboard.h
 *	  What the leaderboard functions (leaderboard.c) and the swap engine
 *	  (leaderboard_swap.c) share.
 *
 *-------------------------------------------------------------------------
 */
#ifndef GAMESTATS_LEADERBOARD_H
#define GAMESTATS_LEADERBOARD_H

#include "board.h"

/* Sizes of a board's new contents. */
typedef struct LbSizes
{
	int64		rows;
	int64		segments;		/* segmented boards only */
	Datum		segment_names;	/* text[], when segments > 0 */
	Datum		segment_rows;	/* bigint[], when segments > 0 */
} LbSizes;

/* What create_leaderboard is given, checked by lb_create(). */
typedef struct LbDefinition
{
	const char *board_text;
	const char *query;
	const char *column[GS_COL_RANK];	/* by role; NULL: not given */
	bool		descending;
	GsRankType	rank_type;
} LbDefinition;

/* leaderboard.c */
extern void lb_definition_args(FunctionCallInfo fcinfo, const char *second,
							   LbDefinition *def);
extern Oid	lb_create(const LbDefinition *def,
					  void (*before_fill) (Oid boardid, void *arg), void *arg);
extern int64 lb_fold_now(Oid relid, const char *label);
extern void lb_record_refresh(const GsBoard *b, const char *label);
extern void lb_spi_as_owner(const char *sql, int nargs, Oid *argtypes, Datum *values);
extern void lb_count(const GsBoard *b, const char *rel, int64 rows, LbSizes *sz);
extern GsBoard *lb_get_board(Oid relid, const char *action);
extern void lb_record_error(GsBoard *b, ErrorData *edata);
extern int64 lb_refresh_board(GsBoard *b);

/* leaderboard_swap.c */
extern void lb_refresh_swap(const GsBoard *b, LbSizes *sz, bool creating);

#endif							/* GAMESTATS_LEADERBOARD_H */
