/*-------------------------------------------------------------------------
 *
 * live.h
 *	  Live leaderboards: boards whose ranks include every committed change
 *	  of the table they rank, at once.
 *
 * The design
 * ----------
 * A live board is a materialized view like any board, over
 * "SELECT * FROM ONLY <source>": the last fold.  Triggers on the source
 * (ENABLE ALWAYS, so that replication roles and restores do not skip them)
 * write every change of a ranked row into the board's journal, in the
 * writer's own transaction: -1 at the row's old key, +1 at its new one.
 * The key is (segment, score, tiebreak, player); the journal, the board and
 * the source each have a btree index on those columns in board order (the
 * score descending for a descending board), so that one probe finds where
 * a key falls in each.
 *
 * A rank is a count of rows that beat a key.  Under the reader's snapshot,
 * the source holds exactly the folded board plus the journal entries the
 * reader sees, because a fold deletes, with the very snapshot whose rows it
 * folded, the journal entries that snapshot saw: count = (rank of the key's
 * place in the board) + (sum of the deltas of the journal entries that beat
 * the key).  The board's storage is not MVCC (a fold swaps it), so each
 * fold bumps live_config.generation and records the board's new
 * relfilenode: a reader whose snapshot does not see the fold that made the
 * storage it reads gets a serialization failure instead of a mix.
 *
 * The rows the query functions return are the source's rows, in the
 * board's row type, with the live rank.
 *
 *-------------------------------------------------------------------------
 */
#ifndef GAMESTATS_LIVE_H
#define GAMESTATS_LIVE_H

#include "board.h"
#include "utils/rel.h"
#include "utils/snapshot.h"

/* Columns of a journal, in this order; its order index is on 1..4. */
#define GS_JOURNAL_SEGMENT	1
#define GS_JOURNAL_SCORE	2
#define GS_JOURNAL_TIEBREAK 3
#define GS_JOURNAL_PLAYER	4
#define GS_JOURNAL_DELTA	5
#define GS_JOURNAL_NATTS	5

/* The trigger on a live board's source. */
#define GS_LIVE_TRIGGER "gamestats_live"
#define GS_LIVE_TRUNCATE_TRIGGER "gamestats_live_truncate"
#define GS_LIVE_SEASON_TRIGGER "gamestats_live_season"

/* What gamestats.live_config says of a live board. */
typedef struct GsLiveState
{
	Oid			source;
	Oid			journal;
	char	   *order_index;	/* name of the source's order index */
	Oid			compacted;		/* the compacted journal: net delta per key */
	Oid			sums;			/* running sums of the compacted journal */
	int64		generation;
	Oid			fold_filenode;
} GsLiveState;

extern bool gs_live_state(Oid board, Snapshot snapshot, GsLiveState *st);
extern Oid	gs_live_board_of(Oid source);

/* live.c */
extern Oid	gs_live_key_index(Relation rel, AttrNumber player, AttrNumber segment);

/* live.c: the fold, called by refresh_leaderboard's swap */
extern void gs_live_after_fill(const GsBoard *b, Snapshot snapshot);
extern void gs_live_after_fold(const GsBoard *b);
extern int64 gs_live_compact(const GsBoard *b);

/* query.c: the live rank of one player, for submit_score */
extern void gs_live_emit_player(FunctionCallInfo fcinfo, Relation board, GsBoard *b,
								Datum player, Oid playertype, Datum segment);

#endif							/* GAMESTATS_LIVE_H */
