/*-------------------------------------------------------------------------
 *
 * leaderboard_swap.c
 *	  The 'swap' refresh of a leaderboard: builds the new ranking and its
 *	  indexes in a transient heap while readers keep reading the board
 *	  (lb_swap_build), then exchanges the storage of board and copy under
 *	  one short ACCESS EXCLUSIVE lock taken with gamestats.lock_timeout
 *	  (lb_swap_switch).
 *
 *	  The board keeps its pg_class row (OID, owner, grants, comments,
 *	  dependent views); only relfilenodes and size statistics change, by
 *	  transactional catalog updates, so a crash leaves the old or the new
 *	  board and never a mix.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/toast_internals.h"
#include "access/visibilitymap.h"
#include "access/xact.h"
#include "catalog/dependency.h"
#include "catalog/index.h"
#include "catalog/indexing.h"
#include "catalog/pg_class.h"
#include "commands/tablecmds.h"
#include "executor/executor.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "rewrite/rewriteHandler.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "storage/predicate.h"
#include "storage/proc.h"
#include "storage/procarray.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "pg_gamestats.h"
#include "leaderboard.h"
#include "live.h"

/*
 * Turns the unique violation of the board's (segment,) player index into an
 * error that names the board and says what to change.  Never returns.
 */
static void
lb_raise_duplicate(ErrorData *edata, const char *board, bool segmented,
				   bool refreshing)
{
	ereport(ERROR,
			(errcode(ERRCODE_UNIQUE_VIOLATION),
			 refreshing ?
			 errmsg("could not refresh leaderboard \"%s\": its query returns more than one row for a player", board) :
			 errmsg("could not create leaderboard \"%s\": its query returns more than one row for a player", board),
			 edata->detail ? errdetail("%s%s", edata->detail,
									   refreshing ? " The board keeps its previous contents." : "") : 0,
			 segmented ?
			 errhint("The query must return one row per segment and player, e.g. aggregate it with GROUP BY segment, player.") :
			 errhint("The query must return one row per player, e.g. aggregate it with GROUP BY player.")));
}

/* ---------------------------------------------------------------------------
 * Building the new contents aside
 * ---------------------------------------------------------------------------
 */

/* The board's stored query (its _RETURN rule), copied. */
static Query *
lb_board_query(Relation board)
{
	RuleLock   *rules = board->rd_rules;
	int			i;

	for (i = 0; rules != NULL && i < rules->numLocks; i++)
	{
		RewriteRule *rule = rules->rules[i];

		if (rule->event == CMD_SELECT && list_length(rule->actions) == 1)
		{
			Query	   *query = copyObject(linitial_node(Query, rule->actions));
			ListCell   *lc;

			/*
			 * Up to PostgreSQL 15 the stored query begins with two range
			 * table entries for the view itself (OLD and NEW), which no part
			 * of the query refers to.  The standard planner ignores them; a
			 * planner hook that walks the whole range table (Citus's) would
			 * scan the board -- which fails before it is populated and is
			 * wasted work afterwards.  Make them empty results.
			 */
			foreach(lc, query->rtable)
			{
				RangeTblEntry *rte = lfirst_node(RangeTblEntry, lc);

				if (rte->rtekind == RTE_RELATION && rte->relid == RelationGetRelid(board))
				{
					RangeTblEntry *empty = makeNode(RangeTblEntry);

					empty->rtekind = RTE_RESULT;
					empty->eref = rte->eref;
					empty->alias = rte->alias;
					lfirst(lc) = empty;
				}
			}
			return query;
		}
	}
	elog(ERROR, "could not find the query of materialized view \"%s\"",
		 RelationGetRelationName(board));
	return NULL;				/* keep compiler quiet */
}

/*
 * A receiver that fills the transient heap in batches with
 * table_multi_insert(): rows are inserted frozen (the heap is new in this
 * transaction, like PostgreSQL's transient refresh heap), fewer WAL records
 * are written, and full pages are marked all-visible, so that index-only
 * scans of the board work right after the switch.
 */
#define LB_BATCH 1000

typedef struct LbDest
{
	DestReceiver pub;
	Oid			relid;
	Relation	rel;
	BulkInsertState bistate;
	CommandId	cid;
	TupleTableSlot *slots[LB_BATCH];
	int			nused;			/* slots holding a row */
	int			ncreated;		/* slots created */
} LbDest;

static void
lb_dest_startup(DestReceiver *self, int operation, TupleDesc typeinfo)
{
	LbDest	   *d = (LbDest *) self;

	d->rel = table_open(d->relid, NoLock);
	d->bistate = GetBulkInsertState();
	d->cid = GetCurrentCommandId(true);
	d->nused = 0;
	d->ncreated = 0;
}

static void
lb_dest_flush(LbDest *d)
{
	int			i;

	if (d->nused == 0)
		return;
	table_multi_insert(d->rel, d->slots, d->nused, d->cid,
					   TABLE_INSERT_SKIP_FSM | TABLE_INSERT_FROZEN, d->bistate);
	for (i = 0; i < d->nused; i++)
		ExecClearTuple(d->slots[i]);
	d->nused = 0;
}

static bool
lb_dest_receive(TupleTableSlot *slot, DestReceiver *self)
{
	LbDest	   *d = (LbDest *) self;

	if (d->nused == d->ncreated)
		d->slots[d->ncreated++] = table_slot_create(d->rel, NULL);
	ExecCopySlot(d->slots[d->nused++], slot);
	if (d->nused == LB_BATCH)
		lb_dest_flush(d);
	return true;
}

static void
lb_dest_shutdown(DestReceiver *self)
{
	LbDest	   *d = (LbDest *) self;
	int			i;

	lb_dest_flush(d);
	FreeBulkInsertState(d->bistate);
	table_finish_bulk_insert(d->rel, TABLE_INSERT_SKIP_FSM | TABLE_INSERT_FROZEN);
	for (i = 0; i < d->ncreated; i++)
		ExecDropSingleTupleTableSlot(d->slots[i]);
	table_close(d->rel, NoLock);
	d->rel = NULL;
}

static void
lb_dest_destroy(DestReceiver *self)
{
	pfree(self);
}

static DestReceiver *
lb_dest_create(Oid relid)
{
	LbDest	   *d = palloc0(sizeof(LbDest));

	d->pub.receiveSlot = lb_dest_receive;
	d->pub.rStartup = lb_dest_startup;
	d->pub.rShutdown = lb_dest_shutdown;
	d->pub.rDestroy = lb_dest_destroy;
	d->pub.mydest = DestTransientRel;
	d->relid = relid;
	return (DestReceiver *) d;
}

/*
 * Runs the board's query with a fresh snapshot and sends its rows into the
 * transient heap.  Returns the number of rows.
 */
static uint64
lb_fill(Oid newheap, Query *query, const GsBoard *b)
{
	const char *board = b->name;
	DestReceiver *dest = lb_dest_create(newheap);
	const char *label = psprintf("gamestats.refresh_leaderboard(%s)", board);
	List	   *rewritten;
	PlannedStmt *plan;
	QueryDesc  *qd;
	uint64		processed;

	AcquireRewriteLocks(query, true, false);
	rewritten = QueryRewrite(query);
	if (list_length(rewritten) != 1)
		elog(ERROR, "unexpected rewrite result for leaderboard \"%s\"", board);
	query = linitial_node(Query, rewritten);

	CHECK_FOR_INTERRUPTS();

	/* taken now, after the board's lock: sees every earlier refresh's data */
	PushCopiedSnapshot(GetTransactionSnapshot());
	UpdateActiveSnapshotCommandId();

	plan = gs_plan_query(query, label, CURSOR_OPT_PARALLEL_OK);
	qd = CreateQueryDesc(plan, label, GetActiveSnapshot(), InvalidSnapshot,
						 dest, NULL, NULL, 0);
	ExecutorStart(qd, 0);
	gs_executor_run(qd, 0);
	processed = qd->estate->es_processed;
	ExecutorFinish(qd);
	ExecutorEnd(qd);
	FreeQueryDesc(qd);
	/* a live board forgets the journal entries this snapshot folded */
	if (gs_board_live(b))
		gs_live_after_fill(b, GetActiveSnapshot());
	PopActiveSnapshot();
	dest->rDestroy(dest);

	return processed;
}

/*
 * Creates a copy of every index of the board on the transient heap and
 * builds it.  Returns the copies' OIDs in the order of board_indexes.
 */
static List *
lb_build_indexes(const GsBoard *b, Relation board, Oid newheap, List *board_indexes,
				 bool creating)
{
	Relation	heap = table_open(newheap, NoLock);
	List	   *copies = NIL;
	ListCell   *lc;
	int			n = 0;

	foreach(lc, board_indexes)
	{
		Oid			oldidx = lfirst_oid(lc);
		char		name[NAMEDATALEN];
		Oid			newidx;
		Relation	idxrel;
		IndexInfo  *info;
		MemoryContext oldcxt;

		snprintf(name, sizeof(name), "pg_temp_%u_%d", b->relid, ++n);
		newidx = gs_index_create_copy(heap, oldidx, get_rel_tablespace(oldidx), name);
		CommandCounterIncrement();

		idxrel = index_open(newidx, NoLock);
		info = BuildIndexInfo(idxrel);
		oldcxt = CurrentMemoryContext;
		PG_TRY();
		{
			gs_index_build(heap, idxrel, info, true);
		}
		PG_CATCH();
		{
			ErrorData  *edata;
			Relation	boardrel;

			MemoryContextSwitchTo(oldcxt);
			edata = CopyErrorData();
			if (edata->sqlerrcode != ERRCODE_UNIQUE_VIOLATION || !info->ii_Unique)
				PG_RE_THROW();
			FlushErrorState();
			if (gs_board_is_index(b, board, oldidx, GS_INDEX_PLAYER))
				lb_raise_duplicate(edata, b->name, gs_board_segmented(b), !creating);
			/* an index the owner added: name it, not its transient copy */
			boardrel = relation_open(b->relid, NoLock);
			ereport(ERROR,
					(errcode(ERRCODE_UNIQUE_VIOLATION),
					 errmsg("could not refresh leaderboard \"%s\": the new rows violate its unique index \"%s\"",
							b->name, get_rel_name(oldidx)),
					 edata->detail ? errdetail("%s The board keeps its previous contents.", edata->detail) :
					 errdetail("The board keeps its previous contents."),
					 errhint("That index was added to the board after its creation: drop it, or change the query so that its rows are unique on the index's columns."),
					 errtableconstraint(boardrel, get_rel_name(oldidx))));
		}
		PG_END_TRY();
		index_close(idxrel, NoLock);
		CommandCounterIncrement();

		copies = lappend_oid(copies, newidx);
	}
	table_close(heap, NoLock);
	return copies;
}

/* ---------------------------------------------------------------------------
 * Switching storage
 * ---------------------------------------------------------------------------
 */

/*
 * "process 12, 34" for the sessions holding locks that block the swap, on
 * the board or on one of its indexes or its TOAST table ("relids").
 */
static char *
lb_lock_holders(List *relids)
{
	StringInfoData buf;
	List	   *pids = NIL;
	bool		prepared = false;
	int			n = 0;
	ListCell   *lc;

	initStringInfo(&buf);
	foreach(lc, relids)
	{
		LOCKTAG		tag;
		VirtualTransactionId *vxids;
		int			i;

		SET_LOCKTAG_RELATION(tag, MyDatabaseId, lfirst_oid(lc));
		vxids = GetLockConflicts(&tag, AccessExclusiveLock, NULL);
		for (i = 0; VirtualTransactionIdIsValid(vxids[i]); i++)
		{
			PGPROC	   *proc;

			proc = gs_vxid_proc(vxids[i]);
			if (proc != NULL && proc->pid != 0)
			{
				if (list_member_int(pids, proc->pid))
					continue;
				pids = lappend_int(pids, proc->pid);
				appendStringInfo(&buf, "%s%d", n++ > 0 ? ", " : "", proc->pid);
			}
			else if (!prepared)
			{
				prepared = true;
				appendStringInfo(&buf, "%sa prepared transaction", n++ > 0 ? ", " : "");
			}
		}
	}
	if (n == 0)
		return pstrdup("no session any more (it ended after the last attempt)");
	return psprintf("%s %s", n > 1 ? "processes" : "process", buf.data);
}

/*
 * ACCESS EXCLUSIVE on the board, its indexes and its TOAST table (the
 * relations "arg", a List of OIDs, whose storage the switch replaces), each
 * waiting at most gamestats.lock_timeout.  The indexes are locked too since
 * a session may open an index alone (pgstatindex, bt_index_check) and would
 * otherwise read a file the switch unlinks.
 */
static void
lb_lock_board(void *arg)
{
	int			nestlevel = gs_begin_lock_timeout();
	ListCell   *lc;

	foreach(lc, (List *) arg)
		LockRelationOid(lfirst_oid(lc), AccessExclusiveLock);
	gs_end_settings(nestlevel);
}

/*
 * Upgrades our lock on the board to ACCESS EXCLUSIVE and takes it on its
 * indexes and TOAST table ("relids", the board first), each attempt waiting
 * at most gamestats.lock_timeout, retried gamestats.lock_retries times; then
 * an error naming the holders.  Readers queue behind a waiting attempt, so
 * they never wait longer than one lock_timeout for it.
 */
static void
lb_lock_for_swap(const GsBoard *b, List *relids)
{
	int			attempts = gamestats_lock_retries + 1;
	int			i;

	for (i = 0; i < attempts; i++)
	{
		ErrorData  *edata = gs_run_in_subxact(lb_lock_board, relids);

		if (edata == NULL)
			return;
		if (edata->sqlerrcode != ERRCODE_LOCK_NOT_AVAILABLE)
			ReThrowError(edata);
		FreeErrorData(edata);
	}

	ereport(ERROR,
			(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
			 errmsg("could not switch in the new ranking of leaderboard \"%s\"", b->name),
			 errdetail("Its ACCESS EXCLUSIVE lock was not granted within gamestats.lock_timeout (%d ms) in %d attempts; the board is held by %s.",
					   gamestats_lock_timeout, attempts, lb_lock_holders(relids)),
			 errhint("Retry later, or end the long transaction that holds the board (pg_stat_activity shows what it runs); raising gamestats.lock_timeout or gamestats.lock_retries lets the refresh wait longer, and readers with it.")));
}

/*
 * Exchanges the storage (relfilenode) and size statistics of two relations
 * by updating their pg_class rows.  "keep" is the board side: it gets the
 * new storage and keeps its identity.  For the heaps themselves the TOAST
 * tables are exchanged by link (reltoastrelid and their pg_depend rows),
 * not by content: the TOAST pointers written into the new rows name the
 * new heap's TOAST table, which must therefore come along as it is.
 */
static void
lb_swap_storage(Oid keep, Oid other, bool swap_toast, int32 new_allvisible,
				int32 new_allfrozen)
{
	Relation	classrel = table_open(RelationRelationId, RowExclusiveLock);
	HeapTuple	tup1 = SearchSysCacheCopy1(RELOID, ObjectIdGetDatum(keep));
	HeapTuple	tup2 = SearchSysCacheCopy1(RELOID, ObjectIdGetDatum(other));
	Form_pg_class f1,
				f2;
	Oid			toast1,
				toast2;

	if (!HeapTupleIsValid(tup1) || !HeapTupleIsValid(tup2))
		elog(ERROR, "cache lookup failed for relation %u or %u", keep, other);
	f1 = (Form_pg_class) GETSTRUCT(tup1);
	f2 = (Form_pg_class) GETSTRUCT(tup2);
	if (!OidIsValid(f1->relfilenode) || !OidIsValid(f2->relfilenode) ||
		f1->relpersistence != f2->relpersistence || f1->relam != f2->relam)
		elog(ERROR, "cannot swap the storage of relations %u and %u", keep, other);

#define LB_SWAP_FIELD(type, field) \
	do { type tmp_ = f1->field; f1->field = f2->field; f2->field = tmp_; } while (0)
	LB_SWAP_FIELD(Oid, relfilenode);
	LB_SWAP_FIELD(Oid, reltablespace);
	LB_SWAP_FIELD(int32, relpages);
	LB_SWAP_FIELD(float4, reltuples);
	LB_SWAP_FIELD(int32, relallvisible);
	gs_swap_relallfrozen(f1, f2);
	LB_SWAP_FIELD(TransactionId, relfrozenxid);
	LB_SWAP_FIELD(MultiXactId, relminmxid);
	if (swap_toast)
		LB_SWAP_FIELD(Oid, reltoastrelid);
#undef LB_SWAP_FIELD
	if (f1->relkind == RELKIND_MATVIEW)
		f1->relispopulated = true;
	if (new_allvisible >= 0)
		f1->relallvisible = new_allvisible;
	if (new_allfrozen >= 0)
		gs_set_relallfrozen(f1, new_allfrozen);

	CatalogTupleUpdate(classrel, &tup1->t_self, tup1);
	CatalogTupleUpdate(classrel, &tup2->t_self, tup2);
	toast1 = f1->reltoastrelid;
	toast2 = f2->reltoastrelid;
	heap_freetuple(tup1);
	heap_freetuple(tup2);
	table_close(classrel, RowExclusiveLock);

	/*
	 * The board's storage is now new in this transaction (matters for
	 * wal_level = minimal); the copy's is the old one.
	 */
	{
		Relation	r1 = relation_open(keep, NoLock);
		Relation	r2 = relation_open(other, NoLock);

		r2->rd_createSubid = r1->rd_createSubid;
		gs_rd_new_subid(r2) = gs_rd_new_subid(r1);
		gs_rd_first_subid(r2) = gs_rd_first_subid(r1);
		gs_assume_new_storage(r1);
		relation_close(r1, NoLock);
		relation_close(r2, NoLock);
	}

	/* each TOAST table now belongs to the other heap */
	if (swap_toast && (OidIsValid(toast1) || OidIsValid(toast2)))
	{
		ObjectAddress base;
		ObjectAddress toast;

		if (OidIsValid(toast1) &&
			deleteDependencyRecordsFor(RelationRelationId, toast1, false) != 1)
			elog(ERROR, "expected one dependency record for TOAST table %u", toast1);
		if (OidIsValid(toast2) &&
			deleteDependencyRecordsFor(RelationRelationId, toast2, false) != 1)
			elog(ERROR, "expected one dependency record for TOAST table %u", toast2);
		base.classId = toast.classId = RelationRelationId;
		base.objectSubId = toast.objectSubId = 0;
		if (OidIsValid(toast1))
		{
			base.objectId = keep;
			toast.objectId = toast1;
			recordDependencyOn(&toast, &base, DEPENDENCY_INTERNAL);
		}
		if (OidIsValid(toast2))
		{
			base.objectId = other;
			toast.objectId = toast2;
			recordDependencyOn(&toast, &base, DEPENDENCY_INTERNAL);
		}
	}

	/* both smgr links become stale at the next CommandCounterIncrement */
	gs_close_smgr(keep);
	gs_close_smgr(other);
}

/* Gives the board's (new) TOAST table and index their usual names. */
static void
lb_rename_toast(Oid boardid)
{
	Oid			toastid = gs_rel_class(boardid).reltoastrelid;
	char		name[NAMEDATALEN];

	if (!OidIsValid(toastid))
		return;
	/* made by make_new_heap() as the rewrite of the old one: it is not now */
	ResetRelRewrite(toastid);
	CommandCounterIncrement();
	snprintf(name, sizeof(name), "pg_toast_%u", boardid);
	RenameRelationInternal(toastid, name, true, false);
	CommandCounterIncrement();
	snprintf(name, sizeof(name), "pg_toast_%u_index", boardid);
	RenameRelationInternal(toast_get_valid_index(toastid, AccessExclusiveLock),
						   name, true, true);
	CommandCounterIncrement();
}

/* ---------------------------------------------------------------------------
 * The swap refresh, step by step
 * ---------------------------------------------------------------------------
 */

/* One swap refresh in progress. */
typedef struct LbSwap
{
	const GsBoard *b;
	Relation	board;			/* open, ExclusiveLock held by the caller */
	List	   *board_indexes;	/* its indexes' OIDs */
	Oid			newheap;		/* the transient heap */
	List	   *copies;			/* its indexes, in the order of board_indexes */
	uint64		processed;		/* rows of the new contents */
	BlockNumber allvisible;
	BlockNumber allfrozen;
} LbSwap;

/*
 * Builds the new contents aside: the transient heap filled by the board's
 * query, then a copy of each of the board's indexes, then the sizes (into
 * *sz), all as the board's owner (gs_owner_context_enter), like
 * PostgreSQL's own refresh.  Readers keep reading the board meanwhile: we
 * hold only ExclusiveLock on it.
 */
static void
lb_swap_build(LbSwap *sw, LbSizes *sz, bool creating)
{
	Relation	board = sw->board;
	GsOwnerContext ctx;
	Relation	heap;

	gs_owner_context_enter(&ctx, board->rd_rel->relowner);
	sw->newheap = make_new_heap(sw->b->relid, board->rd_rel->reltablespace,
								board->rd_rel->relam,
								board->rd_rel->relpersistence, ExclusiveLock);
	sw->processed = lb_fill(sw->newheap, lb_board_query(board), sw->b);
	CommandCounterIncrement();
	sw->copies = lb_build_indexes(sw->b, board, sw->newheap, sw->board_indexes,
								  creating);
	lb_count(sw->b, gs_qualified_name(sw->newheap), (int64) sw->processed, sz);
	gs_owner_context_leave(&ctx);

	/* its pages went in all-visible: tell the planner (index-only scans) */
	heap = table_open(sw->newheap, NoLock);
	visibilitymap_count(heap, &sw->allvisible, &sw->allfrozen);
	table_close(heap, NoLock);
}

/*
 * Switches the new contents in: one short lock, on the board and what it
 * owns, then the storage of board and copy exchanged, then the transient
 * heap -- which now owns the old storage, unlinked at commit -- dropped.
 * Closes the board.
 */
static void
lb_swap_switch(LbSwap *sw)
{
	Relation	board = sw->board;
	Oid			boardid = sw->b->relid;
	List	   *switch_locks;
	int			nestlevel;
	ListCell   *lc1,
			   *lc2;
	ObjectAddress object;

	switch_locks = lcons_oid(boardid, list_copy(sw->board_indexes));
	if (OidIsValid(board->rd_rel->reltoastrelid))
		switch_locks = lappend_oid(switch_locks, board->rd_rel->reltoastrelid);
	lb_lock_for_swap(sw->b, switch_locks);

	/*
	 * Every other lock taken while we hold the board (dropping the old
	 * storage locks the old TOAST index, for one) waits at most
	 * gamestats.lock_timeout too: readers queue behind us meanwhile.
	 */
	nestlevel = gs_begin_lock_timeout();
	CheckTableNotInUse(board, "refresh leaderboard");
	TransferPredicateLocksToHeapRelation(board);

	lb_swap_storage(boardid, sw->newheap, true, (int32) sw->allvisible,
					(int32) sw->allfrozen);
	forboth(lc1, sw->board_indexes, lc2, sw->copies)
		lb_swap_storage(lfirst_oid(lc1), lfirst_oid(lc2), false, -1, -1);
	CommandCounterIncrement();

	/*
	 * For the statistics, as for PostgreSQL's own refresh: the old rows went
	 * away without leaving dead tuples, the new ones were inserted (so that
	 * autovacuum analyzes and vacuums the board as its contents change).
	 */
	pgstat_count_truncate(board);
	pgstat_count_heap_insert(board, (PgStat_Counter) sw->processed);
	table_close(board, NoLock);

	object.classId = RelationRelationId;
	object.objectId = sw->newheap;
	object.objectSubId = 0;
	performDeletion(&object, DROP_RESTRICT, PERFORM_DELETION_INTERNAL);
	lb_rename_toast(boardid);
	gs_end_settings(nestlevel);
}

/*
 * The 'swap' strategy; the caller holds ExclusiveLock on the board.
 * Sets *sz to the sizes of the new board, counted before the switch so
 * that the short lock covers only catalog updates.  "creating": the first
 * fill, by create_leaderboard (for the wording of errors).
 */
void
lb_refresh_swap(const GsBoard *b, LbSizes *sz, bool creating)
{
	LbSwap		sw;

	memset(&sw, 0, sizeof(sw));
	sw.b = b;
	sw.board = table_open(b->relid, NoLock);
	sw.board_indexes = RelationGetIndexList(sw.board);
	lb_swap_build(&sw, sz, creating);
	lb_swap_switch(&sw);
}
