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

/* leaderboard.c */
extern void lb_count(const GsBoard *b, const char *rel, int64 rows, LbSizes *sz);
extern GsBoard *lb_get_board(Oid relid, const char *action);
extern void lb_record_error(GsBoard *b, ErrorData *edata);
extern int64 lb_refresh_board(GsBoard *b);

/* leaderboard_swap.c */
extern void lb_refresh_swap(const GsBoard *b, LbSizes *sz, bool creating);

#endif							/* GAMESTATS_LEADERBOARD_H */
