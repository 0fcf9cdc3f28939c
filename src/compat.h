/*-------------------------------------------------------------------------
 *
 * compat.h
 *	  Every difference between the PostgreSQL major versions pg_gamestats
 *	  builds against (15, 16, 17, 18 and 19), in one place.  The rest of the
 *	  code calls the gs_* names below and never tests PG_VERSION_NUM itself.
 *
 *	  15, 17, 18 and 19 are built with -Werror and tested; 16 is covered by
 *	  these guards but not tested (no Debian suite ships it).
 *
 *-------------------------------------------------------------------------
 */
#ifndef GAMESTATS_COMPAT_H
#define GAMESTATS_COMPAT_H

#include "access/genam.h"
#include "access/tableam.h"
#include "catalog/index.h"
#include "catalog/namespace.h"
#include "executor/executor.h"
#include "funcapi.h"
#include "nodes/pg_list.h"
#include "storage/lock.h"
#include "tcop/tcopprot.h"
#include "utils/acl.h"
#include "utils/guc.h"
#include "utils/regproc.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/timestamp.h"

#if PG_VERSION_NUM < 150000
#error "pg_gamestats needs PostgreSQL 15 or later"
#endif

/* 19 renamed CLUSTER's internals to REPACK's (make_new_heap lives there) */
#if PG_VERSION_NUM >= 190000
#include "commands/repack.h"
#else
#include "commands/cluster.h"
#endif

/* before 17, BackendIdGetProc is declared with the invalidation queue */
#if PG_VERSION_NUM < 170000
#include "storage/sinvaladt.h"
#endif

/* 16: a list of qualified names takes an error-saving context */
static inline List *
gs_qualified_name_list(const char *name)
{
#if PG_VERSION_NUM >= 160000
	return stringToQualifiedNameList(name, NULL);
#else
	return stringToQualifiedNameList(name);
#endif
}

/*
 * 16: input functions can report bad input without raising an error.
 * gs_input_call_safe() reads "str" through input function "infunc" of
 * "type" into *result, or returns false for input that is not valid.  On
 * 15 that takes a subtransaction (gs_run_in_subxact, util.c), except for
 * the types whose validity can be told without calling the function, and
 * except in parallel mode, where no subtransaction can start and an error
 * is raised as usual.
 */
#if PG_VERSION_NUM >= 160000
#include "nodes/miscnodes.h"

static inline bool
gs_input_call_safe(Oid type, Oid infunc, Oid ioparam, char *str, Datum *result)
{
	ErrorSaveContext escontext = {T_ErrorSaveContext};
	FmgrInfo	flinfo;

	fmgr_info(infunc, &flinfo);
	return InputFunctionCallSafe(&flinfo, str, ioparam, -1,
								 (Node *) &escontext, result);
}
#else
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

extern ErrorData *gs_run_in_subxact(void (*fn) (void *), void *arg);

typedef struct GsInputCall
{
	Oid			infunc;
	Oid			ioparam;
	char	   *str;
	Datum		result;
} GsInputCall;

static inline void
gs_input_call(void *arg)
{
	GsInputCall *call = (GsInputCall *) arg;

	call->result = OidInputFunctionCall(call->infunc, call->str, call->ioparam, -1);
}

static inline bool
gs_input_call_safe(Oid type, Oid infunc, Oid ioparam, char *str, Datum *result)
{
	if (type == BOOLOID)
	{
		bool		b;

		if (!parse_bool(str, &b))
			return false;
		*result = BoolGetDatum(b);
		return true;
	}
	if (type_is_enum(type) &&
		(strlen(str) >= NAMEDATALEN ||
		 !SearchSysCacheExists2(ENUMTYPOIDNAME, ObjectIdGetDatum(type),
								CStringGetDatum(str))))
		return false;
	if (!IsInParallelMode())
	{
		GsInputCall call = {infunc, ioparam, str, (Datum) 0};
		ErrorData  *edata = gs_run_in_subxact(gs_input_call, &call);

		if (edata != NULL)
		{
			FreeErrorData(edata);
			return false;
		}
		*result = call.result;
		return true;
	}
	*result = OidInputFunctionCall(infunc, str, ioparam, -1);
	return true;
}
#endif

/* 16: ownership checks went generic (object_ownercheck) */
static inline bool
gs_class_ownercheck(Oid relid, Oid roleid)
{
#if PG_VERSION_NUM >= 160000
	return object_ownercheck(RelationRelationId, relid, roleid);
#else
	return pg_class_ownercheck(relid, roleid);
#endif
}

/*
 * 16 renamed relfilenode to relfilelocator in the relcache's bookkeeping of
 * storage created or replaced in the current transaction.
 */
#if PG_VERSION_NUM >= 160000
#define gs_rd_new_subid(rel)	((rel)->rd_newRelfilelocatorSubid)
#define gs_rd_first_subid(rel)	((rel)->rd_firstRelfilelocatorSubid)
#define gs_assume_new_storage(rel)	RelationAssumeNewRelfilelocator(rel)
#else
#define gs_rd_new_subid(rel)	((rel)->rd_newRelfilenodeSubid)
#define gs_rd_first_subid(rel)	((rel)->rd_firstRelfilenodeSubid)
#define gs_assume_new_storage(rel)	RelationAssumeNewRelfilenode(rel)
#endif

/*
 * The relcache's smgr link of a relation whose storage was swapped must be
 * dropped before the next CommandCounterIncrement on 15 and 16; from 17 on
 * smgr handles live until the end of the transaction and the relcache
 * invalidation closes them, so there is nothing to do.
 */
static inline void
gs_close_smgr(Oid relid)
{
#if PG_VERSION_NUM < 170000
	RelationCloseSmgrByOid(relid);
#else
	(void) relid;
#endif
}

/* 17: infinite intervals exist */
#if PG_VERSION_NUM >= 170000
#define gs_interval_is_finite(iv)	(!INTERVAL_NOT_FINITE(iv))
#else
#define gs_interval_is_finite(iv)	true
#endif

/* 17: LockHeldByMe can also accept a stronger mode; we ask for exactly one */
static inline bool
gs_lock_held_by_me(const LOCKTAG *tag, LOCKMODE mode)
{
#if PG_VERSION_NUM >= 170000
	return LockHeldByMe(tag, mode, false);
#else
	return LockHeldByMe(tag, mode);
#endif
}

/* 17: backends are numbered by ProcNumber instead of BackendId */
#if PG_VERSION_NUM >= 170000
#define gs_vxid_proc(vxid)	ProcNumberGetProc((vxid).procNumber)
#else
#define gs_vxid_proc(vxid)	BackendIdGetProc((vxid).backendId)
#endif

/*
 * Index scans: 18 added scan instrumentation, 19 table-scan option flags.
 * The query functions pass neither (no instrumentation, no hints).
 */
static inline IndexScanDesc
gs_index_beginscan(Relation heap, Relation index, Snapshot snapshot,
				   int nkeys, int norderbys)
{
#if PG_VERSION_NUM >= 190000
	return index_beginscan(heap, index, snapshot, NULL, nkeys, norderbys, SO_NONE);
#elif PG_VERSION_NUM >= 180000
	return index_beginscan(heap, index, snapshot, NULL, nkeys, norderbys);
#else
	return index_beginscan(heap, index, snapshot, nkeys, norderbys);
#endif
}

/*
 * 18 asks whether a deferrable primary key will do; earlier versions never
 * reported one (a deferrable key may hold duplicates until commit), so
 * "no" keeps the old behaviour.
 */
static inline Oid
gs_primary_key_index(Relation rel)
{
#if PG_VERSION_NUM >= 180000
	return RelationGetPrimaryKeyIndex(rel, false);
#else
	return RelationGetPrimaryKeyIndex(rel);
#endif
}

/* 19: planning can report into an EXPLAIN */
static inline PlannedStmt *
gs_plan_query(Query *query, const char *text, int cursor_options)
{
#if PG_VERSION_NUM >= 190000
	return pg_plan_query(query, text, cursor_options, NULL, NULL);
#else
	return pg_plan_query(query, text, cursor_options, NULL);
#endif
}

/*
 * An unbuilt, not yet valid copy of an index (what REINDEX CONCURRENTLY
 * starts from); 19 made the creation flags the caller's choice.
 */
static inline Oid
gs_index_create_copy(Relation heap, Oid oldidx, Oid tablespace, const char *name)
{
#if PG_VERSION_NUM >= 190000
	return index_create_copy(heap, INDEX_CREATE_SKIP_BUILD | INDEX_CREATE_CONCURRENT,
							 oldidx, tablespace, name);
#else
	return index_concurrently_create_copy(heap, oldidx, tablespace, name);
#endif
}

/* 19: index builds report progress only when asked; we run none */
static inline void
gs_index_build(Relation heap, Relation index, IndexInfo *info, bool parallel)
{
#if PG_VERSION_NUM >= 190000
	index_build(heap, index, info, false, parallel, false);
#else
	index_build(heap, index, info, false, parallel);
#endif
}

/* 18: ExecutorRun lost its execute_once argument */
static inline void
gs_executor_run(QueryDesc *qd, uint64 count)
{
#if PG_VERSION_NUM >= 180000
	ExecutorRun(qd, ForwardScanDirection, count);
#else
	ExecutorRun(qd, ForwardScanDirection, count, true);
#endif
}

/* 18: CHECK constraints can be NOT ENFORCED */
#if PG_VERSION_NUM >= 180000
#define gs_check_is_enforced(cc)	((cc)->ccenforced)
#else
#define gs_check_is_enforced(cc)	true
#endif

/*
 * Deletes a row that moves to another partition (waiting for a concurrent
 * writer, no crosscheck snapshot); 19 turned the flag into an option bit.
 */
static inline TM_Result
gs_delete_moving_row(Relation rel, ItemPointer tid, CommandId cid,
					 Snapshot snapshot, TM_FailureData *tmfd)
{
#if PG_VERSION_NUM >= 190000
	return table_tuple_delete(rel, tid, cid, TABLE_DELETE_CHANGING_PARTITION,
							  snapshot, InvalidSnapshot, true, tmfd);
#else
	return table_tuple_delete(rel, tid, cid, snapshot, InvalidSnapshot, true,
							  tmfd, true);
#endif
}

/*
 * 18 counts all-frozen pages in pg_class.relallfrozen beside relallvisible;
 * a storage swap must carry it with the other size statistics.
 */
#if PG_VERSION_NUM >= 180000
#define gs_swap_relallfrozen(f1, f2) \
	do { int32 tmp_ = (f1)->relallfrozen; \
		 (f1)->relallfrozen = (f2)->relallfrozen; (f2)->relallfrozen = tmp_; } while (0)
#define gs_set_relallfrozen(f, n)	((f)->relallfrozen = (n))
#else
#define gs_swap_relallfrozen(f1, f2)	((void) 0)
#define gs_set_relallfrozen(f, n)	((void) (n))
#endif

#endif							/* GAMESTATS_COMPAT_H */
