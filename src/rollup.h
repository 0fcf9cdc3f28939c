/*-------------------------------------------------------------------------
 *
 * rollup.h
 *	  Rollups: per-bucket aggregates of managed tables (rollup.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef GAMESTATS_ROLLUP_H
#define GAMESTATS_ROLLUP_H

#include "lib/stringinfo.h"

extern bool gs_refresh_rollups_of(Oid source, int64 now, StringInfo errors);

#endif							/* GAMESTATS_ROLLUP_H */
