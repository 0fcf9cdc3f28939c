/*-------------------------------------------------------------------------
 *
 * season.h
 *	  Seasons of leaderboards (season.c): the season window a refresh of a
 *	  seasonal board sees through gamestats.season_start()/season_end(), and
 *	  the rollover that run_maintenance() calls.
 *
 *-------------------------------------------------------------------------
 */
#ifndef GAMESTATS_SEASON_H
#define GAMESTATS_SEASON_H

#include "datatype/timestamp.h"

/* the window in force, saved by gs_season_window_enter() */
typedef struct GsSeasonWindow
{
	bool		set;
	Oid			board;
	int64		lo;				/* season_start(), inclusive */
	int64		hi;				/* season_end(), exclusive */
	bool		used;			/* season_start() or season_end() was called */
	SubTransactionId subid;		/* where it was set */
} GsSeasonWindow;

extern void gs_season_window_enter(Oid board, GsSeasonWindow *saved);
extern void gs_season_window_leave(const GsSeasonWindow *saved);
extern void gs_season_rollover_all(int64 now);

#endif							/* GAMESTATS_SEASON_H */
