/*-------------------------------------------------------------------------
 *
 * query.c
 *	  Batched reads of leaderboards and tables: top, around, ranks,
 *	  rank_for_score, board_size and lookup.
 *
 * These are the hot path of a game backend, so they avoid SPI and the
 * planner: each call opens the relation and the one index it needs once,
 * then rescans that index per key under the query's snapshot.  Like a
 * SELECT, a call takes ACCESS SHARE on the board and keeps it to the end of
 * the transaction; a swap refresh must wait for it before it switches
 * storage, so neither one call nor one transaction sees a mix of two
 * rankings.
 *
 * What a board is -- its columns, rank type, which index is which, its
 * sizes -- comes from board.c (gs_board_open, gs_board_rows), which caches
 * the definitions per backend.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/detoast.h"
#include "access/genam.h"
#include "access/htup_details.h"
#include "access/nbtree.h"
#include "access/relation.h"
#include "access/relscan.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/transam.h"
#include "access/xlog.h"
#include "catalog/index.h"
#include "catalog/objectaddress.h"
#include "catalog/pg_am.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "parser/parse_coerce.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/tuplestore.h"
#include "utils/typcache.h"

#include "pg_gamestats.h"
#include "board.h"
#include "live.h"

/* A relation and one of its indexes, opened for one call. */
typedef struct ScanTarget
{
	Relation	heap;
	Relation	index;
	IndexScanDesc scan;
	TupleTableSlot *slot;
	MemoryContext cxt;			/* where the scan lives */
	bool		empty;			/* a key no row can match: scan nothing */
	int			nkeys;
	ScanKeyData keys[INDEX_MAX_KEYS];
} ScanTarget;

/* ---------------------------------------------------------------------
 * Board metadata
 * ---------------------------------------------------------------------
 */

/*
 * Relation behind a "NULL::name" argument: the relation whose row type the
 * argument has.  Errors out for anything that is not a table's row type.
 */
Oid
gs_rowtype_relid(FunctionCallInfo fcinfo, int argno, const char *fname)
{
	Oid			argtype = get_fn_expr_argtype(fcinfo->flinfo, argno);
	Oid			relid = OidIsValid(argtype) ? get_typ_typrelid(argtype) : InvalidOid;

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("first argument of %s must be the row type of a table or leaderboard, not %s",
						fname, OidIsValid(argtype) ? format_type_be(argtype) : "unknown"),
				 errhint("Pass the relation's row type as a typed null, e.g. gamestats.%s(NULL::my_board, ...).",
						 fname)));
	return relid;
}

/* ---------------------------------------------------------------------
 * Access checks and relation opening
 * ---------------------------------------------------------------------
 */

/*
 * Opens "relid" for reading on behalf of the current user: SELECT on the
 * table or on all of its columns, and no row-level security policy that
 * would apply (we read below the executor, so we refuse rather than bypass).
 */
static Relation
open_for_read(Oid relid)
{
	Relation	rel;
	Oid			userid = GetUserId();

	rel = try_relation_open(relid, AccessShareLock);
	if (rel == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));

	if (pg_class_aclcheck(relid, userid, ACL_SELECT) != ACLCHECK_OK &&
		pg_attribute_aclcheck_all(relid, userid, ACL_SELECT, ACLMASK_ALL) != ACLCHECK_OK)
		aclcheck_error(ACLCHECK_NO_PRIV, get_relkind_objtype(rel->rd_rel->relkind),
					   RelationGetRelationName(rel));

	gs_citus_refuse_direct_read(rel);

	if (check_enable_rls(relid, InvalidOid, false) == RLS_ENABLED)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("cannot read \"%s\" through pg_gamestats: row-level security is enabled on it",
						RelationGetRelationName(rel)),
				 errdetail("pg_gamestats reads indexes directly and does not apply row-level security policies."),
				 errhint("Query the table with SELECT so its policies apply, or read it as a role that bypasses them.")));

	if (rel->rd_rel->relpersistence == RELPERSISTENCE_UNLOGGED && RecoveryInProgress())
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot read unlogged table \"%s\" during recovery",
						RelationGetRelationName(rel)),
				 errdetail("The rows of unlogged tables are not replicated: a standby has none."),
				 errhint("Read it on the primary, or make it a logged table with ALTER TABLE ... SET LOGGED.")));

	if (rel->rd_rel->relkind == RELKIND_MATVIEW && !RelationIsPopulated(rel))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("materialized view \"%s\" has not been populated",
						RelationGetRelationName(rel)),
				 errhint("Refresh it with gamestats.refresh_leaderboard().")));
	return rel;
}

static void
scan_open(ScanTarget *t, Relation heap, Oid indexoid)
{
	t->heap = heap;
	t->index = index_open(indexoid, AccessShareLock);

	/*
	 * An index built over broken HOT chains may point at rows whose version
	 * visible to an older snapshot has another key: like the planner, use it
	 * only once its pg_index row is older than every snapshot of ours.
	 */
	if (t->index->rd_index->indcheckxmin &&
		!TransactionIdPrecedes(HeapTupleHeaderGetXmin(t->index->rd_indextuple->t_data),
							   TransactionXmin))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("index \"%s\" cannot be used by this transaction yet",
						RelationGetRelationName(t->index)),
				 errdetail("The index was built while older row versions were still visible to this transaction's snapshot; through it, pg_gamestats could return rows whose key does not match."),
				 errhint("Run the call in a new transaction (one that starts after the index was created), or read the table with SELECT.")));
	t->nkeys = 0;
	t->slot = table_slot_create(heap, NULL);
	t->scan = NULL;
	t->cxt = CurrentMemoryContext;
	t->empty = false;
}

static void
scan_close(ScanTarget *t)
{
	if (t->scan)
		index_endscan(t->scan);
	ExecDropSingleTupleTableSlot(t->slot);
	index_close(t->index, NoLock);
}

/*
 * Adds a key "index column <strategy> value" on key column "keypos" (0-based)
 * of the scan's index.  "value" must already be of the column's opclass
 * input type or of a type the opfamily has a cross-type operator for.
 */
static void
scan_add_key(ScanTarget *t, int keypos, StrategyNumber strategy, Datum value, Oid valtype)
{
	Relation	index = t->index;
	Oid			opfamily = index->rd_opfamily[keypos];
	Oid			lefttype = index->rd_opcintype[keypos];
	Oid			oper;

	oper = get_opfamily_member(opfamily, lefttype, valtype, strategy);
	if (!OidIsValid(oper) && IsBinaryCoercible(valtype, lefttype))
	{
		/* e.g. a varchar column under text_ops */
		valtype = lefttype;
		oper = get_opfamily_member(opfamily, lefttype, valtype, strategy);
	}
	if (!OidIsValid(oper))
		elog(ERROR, "missing operator %d(%u,%u) in opfamily %u",
			 strategy, lefttype, valtype, opfamily);
	ScanKeyEntryInitialize(&t->keys[t->nkeys], 0, keypos + 1, strategy,
						   valtype, index->rd_indcollation[keypos],
						   get_opcode(oper), value);
	t->nkeys++;
}

/* Rescans with the keys added so far; the next scan_next reads from the start. */
static void
scan_rescan(ScanTarget *t)
{
	if (t->empty)
		return;
	if (t->scan != NULL && t->scan->numberOfKeys != t->nkeys)
	{
		index_endscan(t->scan);
		t->scan = NULL;
	}
	if (t->scan == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(t->cxt);

		t->scan = gs_index_beginscan(t->heap, t->index, GetActiveSnapshot(), t->nkeys, 0);
		MemoryContextSwitchTo(old);
	}
	index_rescan(t->scan, t->keys, t->nkeys, NULL, 0);
}

static bool
scan_next(ScanTarget *t, ScanDirection dir)
{
	if (t->empty)
		return false;
	return index_getnext_slot(t->scan, dir, t->slot);
}

/* ---------------------------------------------------------------------
 * Values from the caller
 * ---------------------------------------------------------------------
 */

/*
 * Converts "value" of type "srctype" to "target", as an implicit cast in SQL
 * would.  A text value with no implicit cast is read with the target type's
 * input function, as SQL reads an untyped literal: drivers that bind
 * parameters without a type (node-postgres) send them as text, and the
 * polymorphic arguments resolve those to text.  Text that is not valid
 * input for the type is the input function's error.  "what" names the
 * argument in the error.
 */
Datum
gs_coerce_value(Datum value, Oid srctype, Oid target, const char *what)
{
	CoercionPathType path;
	Oid			funcid;

	if (srctype == target)
		return value;
	path = find_coercion_pathway(target, srctype, COERCION_IMPLICIT, &funcid);
	if (path == COERCION_PATH_NONE && (srctype == TEXTOID || srctype == UNKNOWNOID))
		path = COERCION_PATH_COERCEVIAIO;
	switch (path)
	{
		case COERCION_PATH_RELABELTYPE:
			return value;
		case COERCION_PATH_FUNC:
			if (get_func_nargs(funcid) == 1)
				return OidFunctionCall1(funcid, value);
			return OidFunctionCall3(funcid, value, Int32GetDatum(-1), BoolGetDatum(false));
		case COERCION_PATH_COERCEVIAIO:
			{
				Oid			outfunc,
							infunc,
							ioparam;
				bool		isvarlena;
				char	   *str;

				if (srctype == UNKNOWNOID)
					str = DatumGetCString(value);
				else
				{
					getTypeOutputInfo(srctype, &outfunc, &isvarlena);
					str = OidOutputFunctionCall(outfunc, value);
				}
				getTypeInputInfo(target, &infunc, &ioparam);
				return OidInputFunctionCall(infunc, str, ioparam, -1);
			}
		default:
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("%s of type %s cannot be compared with column type %s",
							what, format_type_be(srctype), format_type_be(target)),
					 errhint("Cast the argument to %s.", format_type_be(target))));
	}
	return (Datum) 0;			/* keep compiler quiet */
}

/*
 * Adds an equality key on index column "keypos" for a value of type
 * "valtype": directly when the opfamily compares the two types, else after
 * an implicit cast to the column's type.
 */
static void
scan_add_eq_key(ScanTarget *t, int keypos, Datum value, Oid valtype, const char *what)
{
	Oid			coltype = t->index->rd_opcintype[keypos];

	if (valtype != coltype && !IsBinaryCoercible(valtype, coltype) &&
		!OidIsValid(get_opfamily_member(t->index->rd_opfamily[keypos], coltype,
										valtype, BTEqualStrategyNumber)))
	{
		value = gs_coerce_value(value, valtype, coltype, what);
		valtype = coltype;
	}
	scan_add_key(t, keypos, BTEqualStrategyNumber, value, valtype);
}

/*
 * The segment argument "argno" converted to the board's segment column type
 * (through that type's input function, as a quoted literal would be) into
 * *segment, or (Datum) 0 for an unsegmented board.  Returns false when the
 * text is not a value of that type: no row is in such a segment.  Errors out
 * when a segmented board gets no segment or an unsegmented one gets one.
 */
static bool
segment_arg(GsBoard *b, Relation rel, FunctionCallInfo fcinfo, int argno,
			Datum *segment)
{
	bool		given = PG_NARGS() > argno && !PG_ARGISNULL(argno);

	*segment = (Datum) 0;
	if (b->attno[GS_COL_SEGMENT] == InvalidAttrNumber)
	{
		if (given)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("leaderboard \"%s\" has no segments",
							RelationGetRelationName(rel)),
					 errhint("Leave the segment argument null for this board.")));
		return true;
	}
	if (!given)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("leaderboard \"%s\" is segmented: a segment is required",
						RelationGetRelationName(rel)),
				 errhint("Pass segment => '...', one of the values of its column \"%s\".",
						 get_attname(RelationGetRelid(rel), b->attno[GS_COL_SEGMENT], false))));
	if (b->segment_type == TEXTOID)
	{
		*segment = PG_GETARG_DATUM(argno);
		return true;
	}
	return gs_read_value(b->segment_type, TextDatumGetCString(PG_GETARG_DATUM(argno)),
					  segment);
}

/*
 * Adds the segment key (index column 0) of a segmented board.  Returns the
 * number of index columns the segment takes (0 or 1).  A segment that is no
 * value of the column's type makes the scan empty.
 */
static int
scan_add_segment(ScanTarget *t, GsBoard *b, FunctionCallInfo fcinfo, int argno)
{
	Datum		segment;

	if (!segment_arg(b, t->heap, fcinfo, argno, &segment))
		t->empty = true;
	if (b->attno[GS_COL_SEGMENT] == InvalidAttrNumber)
		return 0;
	if (t->empty)
	{
		/* a placeholder key: the scan never runs */
		ScanKeyEntryInitialize(&t->keys[t->nkeys], SK_ISNULL, 1, BTEqualStrategyNumber,
							   InvalidOid, InvalidOid, InvalidOid, (Datum) 0);
		t->nkeys++;
		return 1;
	}
	scan_add_eq_key(t, 0, segment, b->segment_type, "segment");
	return 1;
}

/* Deconstructed key array argument, with its size checked. */
typedef struct KeyArray
{
	Oid			elemtype;
	int			n;
	Datum	   *values;
	bool	   *nulls;
} KeyArray;

static void
get_key_array(FunctionCallInfo fcinfo, int argno, KeyArray *keys)
{
	ArrayType  *arr;
	int16		typlen;
	bool		typbyval;
	char		typalign;
	int			nitems;

	if (PG_ARGISNULL(argno))
	{
		/* a NULL array asks for nothing, like an array of NULLs */
		keys->elemtype = get_element_type(get_fn_expr_argtype(fcinfo->flinfo, argno));
		keys->n = 0;
		keys->values = NULL;
		keys->nulls = NULL;
		return;
	}
	arr = PG_GETARG_ARRAYTYPE_P(argno);

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("keys must be a one-dimensional array")));
	nitems = ArrayGetNItems(ARR_NDIM(arr), ARR_DIMS(arr));
	if (nitems > gamestats_max_batch)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%d keys exceed the batch limit of %d", nitems, gamestats_max_batch),
				 errhint("Split the call into batches, or raise gamestats.max_batch.")));
	keys->elemtype = ARR_ELEMTYPE(arr);
	get_typlenbyvalalign(keys->elemtype, &typlen, &typbyval, &typalign);
	deconstruct_array(arr, keys->elemtype, typlen, typbyval, typalign,
					  &keys->values, &keys->nulls, &keys->n);
}

static void
check_nonnegative(FunctionCallInfo fcinfo, int argno, const char *name)
{
	if (PG_GETARG_INT32(argno) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be negative", name),
				 errhint("Pass a count of rows of 0 or more.")));
}

/*
 * Sets up materialize-mode output with the row type the statement expects,
 * which must be the relation's row type as we read it now, under our lock:
 * a column whose type changed (ALTER TABLE ... ALTER COLUMN ... TYPE
 * committed after the statement looked up the row type) would otherwise be
 * read with the wrong type.
 */
static Tuplestorestate *
srf_init(FunctionCallInfo fcinfo, Relation rel)
{
	TupleDesc	expected;
	TupleDesc	actual = RelationGetDescr(rel);
	Tuplestorestate *out = gs_srf_begin(fcinfo, true, &expected);
	int			i;

	for (i = 0; i < Max(expected->natts, actual->natts); i++)
	{
		Form_pg_attribute e = i < expected->natts ? TupleDescAttr(expected, i) : NULL;
		Form_pg_attribute a = i < actual->natts ? TupleDescAttr(actual, i) : NULL;

		if (e != NULL && a != NULL && e->attisdropped == a->attisdropped &&
			(a->attisdropped ||
			 (e->atttypid == a->atttypid && e->atttypmod == a->atttypmod)))
			continue;
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("row type of \"%s\" changed while the statement was running",
						RelationGetRelationName(rel)),
				 a != NULL && e != NULL && !a->attisdropped && !e->attisdropped ?
				 errdetail("Column \"%s\" is now of type %s; the statement expected %s.",
						   NameStr(a->attname),
						   format_type_with_typemod(a->atttypid, a->atttypmod),
						   format_type_with_typemod(e->atttypid, e->atttypmod)) :
				 errdetail("A column was added or dropped after the statement looked up the row type."),
				 errhint("Run the statement again.")));
	}
	return out;
}

/*
 * The slot's row as a new tuple whose values are all inline: a TOAST
 * pointer would point into storage that a TRUNCATE or swap refresh later in
 * the transaction removes while the rows are still held in a tuplestore.
 */
static HeapTuple
form_detached(TupleTableSlot *slot)
{
	TupleDesc	desc = slot->tts_tupleDescriptor;
	Datum	   *values;
	bool		detoasted = false;
	HeapTuple	tup;
	int			i;

	/* deformed through the slot: columns added later get their defaults */
	slot_getallattrs(slot);
	values = palloc(sizeof(Datum) * desc->natts);
	for (i = 0; i < desc->natts; i++)
	{
		values[i] = slot->tts_values[i];
		if (!slot->tts_isnull[i] && TupleDescAttr(desc, i)->attlen == -1 &&
			VARATT_IS_EXTERNAL(DatumGetPointer(values[i])))
		{
			values[i] = PointerGetDatum(detoast_external_attr((struct varlena *)
															  DatumGetPointer(values[i])));
			detoasted = true;
		}
	}
	tup = heap_form_tuple(desc, values, slot->tts_isnull);
	if (detoasted)
		for (i = 0; i < desc->natts; i++)
			if (values[i] != slot->tts_values[i])
				pfree(DatumGetPointer(values[i]));
	pfree(values);
	return tup;
}

static void
emit(Tuplestorestate *out, TupleTableSlot *slot)
{
	HeapTuple	tup = form_detached(slot);

	tuplestore_puttuple(out, tup);
	heap_freetuple(tup);
}

/* Opens the board of argument 0 and its metadata. */
static Relation
open_board(FunctionCallInfo fcinfo, const char *fname, GsBoard **b)
{
	Relation	rel = open_for_read(gs_rowtype_relid(fcinfo, 0, fname));

	*b = gs_board_open(rel);
	return rel;
}

/*
 * Adds a row-comparison key "(index columns keypos, keypos + 1) <strategy>
 * (v1, v2)" -- e.g. (rank, player) < (42, 7) -- which btree evaluates in one
 * scan; the values must be of the columns' opclass input types.
 */
static void
scan_add_row_key(ScanTarget *t, int keypos, StrategyNumber strategy, Datum v1, Datum v2)
{
	ScanKey		members = MemoryContextAlloc(t->cxt, sizeof(ScanKeyData) * 2);
	Datum		values[2] = {v1, v2};
	int			i;

	for (i = 0; i < 2; i++)
	{
		int			col = keypos + i;
		Oid			type = t->index->rd_opcintype[col];
		Oid			cmpproc = get_opfamily_proc(t->index->rd_opfamily[col], type, type,
												BTORDER_PROC);

		if (!OidIsValid(cmpproc))
			elog(ERROR, "missing support function %d(%u,%u) in opfamily %u",
				 BTORDER_PROC, type, type, t->index->rd_opfamily[col]);
		ScanKeyEntryInitialize(&members[i], SK_ROW_MEMBER | (i == 1 ? SK_ROW_END : 0),
							   col + 1, strategy, type, t->index->rd_indcollation[col],
							   cmpproc, values[i]);
	}
	ScanKeyEntryInitialize(&t->keys[t->nkeys], SK_ROW_HEADER, keypos + 1, strategy,
						   InvalidOid, InvalidOid, InvalidOid, PointerGetDatum(members));
	t->nkeys++;
}

/* ---------------------------------------------------------------------
 * Live boards (live.h): ranks counted in the last fold, corrected by the
 * journal
 * ---------------------------------------------------------------------
 */

/* How much of a key a count compares. */
typedef enum LiveCmp
{
	LIVE_CMP_SCORE,				/* the score only (rank_for_score) */
	LIVE_CMP_KEY,				/* score, tiebreak: ties share a rank */
	LIVE_CMP_FULL				/* score, tiebreak, player: a position */
} LiveCmp;

typedef struct LiveKey
{
	Datum		score;
	Datum		tiebreak;
	Datum		player;
} LiveKey;

typedef struct LiveRead
{
	GsBoard    *b;
	Relation	board;
	Relation	source;
	Relation	journal;
	Datum		segment;		/* the call's, when segmented */
	int			nseg;			/* 1 if segmented */
	bool		has_tb;
	Oid			src_key_index;	/* unique ([segment,] player) */
	Oid			src_order_index;
	Oid			board_order_index;
	Oid			journal_order_index;
	Relation	compacted;		/* the compacted journal and its sums */
	Relation	sums;
	Oid			compacted_order_index;
	Oid			sums_order_index;
	AttrNumber	src_att[GS_COL_RANK];
	FmgrInfo	cmp[3];			/* score, tiebreak, player */
	Oid			coll[3];
	AttrNumber *outmap;			/* board attno - 1 -> source attno; 0: rank */
	/* scans the counts reuse within one call, opened on first use */
	ScanTarget	scans[4];
	bool		opened[4];
} LiveRead;

typedef enum LiveScan
{
	LS_BOARD,
	LS_JOURNAL,
	LS_SUMS,
	LS_COMPACTED
} LiveScan;

/*
 * What live_open() finds out about a board's tables and indexes, cached
 * per backend until any relcache invalidation (a fold is one).
 */
typedef struct LiveLayout
{
	Oid			board;			/* hash key */
	bool		valid;
	Oid			source;
	Oid			src_key_index;
	Oid			src_order_index;
	Oid			board_order_index;
	Oid			journal_order_index;
	Oid			compacted_order_index;
	Oid			sums_order_index;
	AttrNumber	src_att[GS_COL_RANK];
	FmgrInfo	cmp[3];
	Oid			coll[3];
	int			natts;
	AttrNumber *outmap;			/* in CacheMemoryContext */
} LiveLayout;

static HTAB *live_layouts = NULL;

static void
live_layouts_invalidate(Datum arg, Oid relid)
{
	HASH_SEQ_STATUS status;
	LiveLayout *e;

	if (live_layouts == NULL)
		return;
	hash_seq_init(&status, live_layouts);
	while ((e = hash_seq_search(&status)) != NULL)
		e->valid = false;
}

/* The index of "rel" on exactly "attnos" with the score column (position
 * "scorepos") descending if "desc"; InvalidOid if none. */
static Oid
live_order_index(Relation rel, const AttrNumber *attnos, int n, int scorepos, bool desc)
{
	List	   *indexes = RelationGetIndexList(rel);
	ListCell   *lc;
	Oid			found = InvalidOid;

	foreach(lc, indexes)
	{
		HeapTuple	tup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(lfirst_oid(lc)));
		Form_pg_index idx;
		bool		ok;
		int			i;

		if (!HeapTupleIsValid(tup))
			continue;
		idx = (Form_pg_index) GETSTRUCT(tup);
		ok = idx->indisvalid && idx->indnkeyatts == n &&
			heap_attisnull(tup, Anum_pg_index_indexprs, NULL) &&
			gs_rel_class(idx->indexrelid).relam == BTREE_AM_OID;
		if (ok)
		{
			bool		isnull;
			int2vector *indoption = (int2vector *) DatumGetPointer(
				SysCacheGetAttr(INDEXRELID, tup, Anum_pg_index_indoption, &isnull));

			for (i = 0; ok && i < n; i++)
				ok = idx->indkey.values[i] == attnos[i] &&
					((indoption->values[i] & INDOPTION_DESC) != 0) == (desc && i == scorepos);
		}
		ReleaseSysCache(tup);
		if (ok)
		{
			found = lfirst_oid(lc);
			break;
		}
	}
	list_free(indexes);
	return found;
}

static bool
live_trigger_ok(Relation src, const char *name)
{
	TriggerDesc *td = src->trigdesc;
	int			i;

	for (i = 0; td != NULL && i < td->numtriggers; i++)
		if (strcmp(td->triggers[i].tgname, name) == 0)
			return td->triggers[i].tgenabled == TRIGGER_FIRES_ALWAYS;
	return false;
}

/*
 * Fills the layout of L (source columns, comparisons, indexes, output map)
 * from the cache, loading it on a miss.  The relations are open.
 */
static void
live_layout(LiveRead *L, Relation board, GsLiveState *st)
{
	GsBoard    *b = L->b;
	AttrNumber	keys[4];
	int			n = 0;
	int			i;
	TupleDesc	bdesc = RelationGetDescr(board);
	LiveLayout *e;
	bool		found;

	if (live_layouts == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(LiveLayout);
		live_layouts = hash_create("pg_gamestats live layouts", 8, &ctl,
								   HASH_ELEM | HASH_BLOBS);
		CacheRegisterRelcacheCallback(live_layouts_invalidate, (Datum) 0);
	}
	e = hash_search(live_layouts, &b->relid, HASH_ENTER, &found);
	if (!found)
	{
		e->valid = false;
		e->outmap = NULL;
	}
	if (e->valid && e->source == st->source && e->natts == bdesc->natts)
	{
		L->src_key_index = e->src_key_index;
		L->src_order_index = e->src_order_index;
		L->board_order_index = e->board_order_index;
		L->journal_order_index = e->journal_order_index;
		L->compacted_order_index = e->compacted_order_index;
		L->sums_order_index = e->sums_order_index;
		memcpy(L->src_att, e->src_att, sizeof(L->src_att));
		memcpy(L->cmp, e->cmp, sizeof(L->cmp));
		memcpy(L->coll, e->coll, sizeof(L->coll));
		L->outmap = e->outmap;
		return;
	}
	e->valid = false;


	for (i = 0; i < GS_COL_RANK; i++)
	{
		L->src_att[i] = InvalidAttrNumber;
		if (b->column[i] == NULL)
			continue;
		L->src_att[i] = get_attnum(st->source, b->column[i]);
		if (L->src_att[i] == InvalidAttrNumber)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("table \"%s\" has no column \"%s\", which live leaderboard \"%s\" ranks by",
							RelationGetRelationName(L->source), b->column[i], b->name),
					 errhint("Rename the column back, or drop the board with gamestats.drop_leaderboard().")));
	}
	/* the comparisons of the board's order */
	{
		GsColumn	cols[3] = {GS_COL_SCORE, GS_COL_TIEBREAK, GS_COL_PLAYER};

		for (i = 0; i < 3; i++)
		{
			Form_pg_attribute att;
			TypeCacheEntry *tce;

			if (L->src_att[cols[i]] == InvalidAttrNumber)
				continue;
			att = TupleDescAttr(RelationGetDescr(L->source), L->src_att[cols[i]] - 1);
			tce = lookup_type_cache(att->atttypid, TYPECACHE_CMP_PROC_FINFO);
			if (!OidIsValid(tce->cmp_proc_finfo.fn_oid))
				elog(ERROR, "no comparison function for type %s", format_type_be(att->atttypid));
			fmgr_info_copy(&L->cmp[i], &tce->cmp_proc_finfo, CurrentMemoryContext);
			L->coll[i] = att->attcollation;
		}
	}

	/* the indexes: source, board and journal, each in board order */
	if (L->nseg)
		keys[n++] = L->src_att[GS_COL_SEGMENT];
	keys[n++] = L->src_att[GS_COL_SCORE];
	if (L->has_tb)
		keys[n++] = L->src_att[GS_COL_TIEBREAK];
	keys[n++] = L->src_att[GS_COL_PLAYER];
	L->src_order_index = get_relname_relid(st->order_index, RelationGetNamespace(L->source));
	if (!OidIsValid(L->src_order_index) ||
		L->src_order_index != live_order_index(L->source, keys, n, L->nseg, b->descending))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("table \"%s\" is missing index \"%s\" of live leaderboard \"%s\"",
						RelationGetRelationName(L->source), st->order_index, b->name),
				 errhint("Recreate the board with gamestats.drop_leaderboard() and gamestats.create_live_leaderboard().")));
	L->src_key_index = gs_live_key_index(L->source, L->src_att[GS_COL_PLAYER],
										 L->src_att[GS_COL_SEGMENT]);
	if (!OidIsValid(L->src_key_index))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("table \"%s\" has lost the unique key of live leaderboard \"%s\"",
						RelationGetRelationName(L->source), b->name),
				 errhint("Add back a unique key on the board's segment and player columns.")));
	n = 0;
	if (L->nseg)
		keys[n++] = b->attno[GS_COL_SEGMENT];
	keys[n++] = b->attno[GS_COL_SCORE];
	if (L->has_tb)
		keys[n++] = get_attnum(b->relid, b->column[GS_COL_TIEBREAK]);
	keys[n++] = b->attno[GS_COL_PLAYER];
	L->board_order_index = live_order_index(board, keys, n, L->nseg, b->descending);
	n = 0;
	if (L->nseg)
		keys[n++] = GS_JOURNAL_SEGMENT;
	keys[n++] = GS_JOURNAL_SCORE;
	if (L->has_tb)
		keys[n++] = GS_JOURNAL_TIEBREAK;
	keys[n++] = GS_JOURNAL_PLAYER;
	L->journal_order_index = live_order_index(L->journal, keys, n, L->nseg, b->descending);
	L->compacted_order_index = live_order_index(L->compacted, keys, n, L->nseg, b->descending);
	L->sums_order_index = live_order_index(L->sums, keys, n, L->nseg, b->descending);
	if (!OidIsValid(L->board_order_index) || !OidIsValid(L->journal_order_index) ||
		!OidIsValid(L->compacted_order_index) || !OidIsValid(L->sums_order_index))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("live leaderboard \"%s\" or its journal \"%s\" is missing its order index",
						b->name, RelationGetRelationName(L->journal)),
				 errhint("Recreate the board with gamestats.drop_leaderboard() and gamestats.create_live_leaderboard().")));

	/* the board's row from the source's */
	L->outmap = palloc0(sizeof(AttrNumber) * bdesc->natts);
	for (i = 0; i < bdesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(bdesc, i);
		AttrNumber	sa;

		if (att->attisdropped || att->attnum == b->attno[GS_COL_RANK])
			continue;
		sa = get_attnum(st->source, NameStr(att->attname));
		if (sa == InvalidAttrNumber ||
			TupleDescAttr(RelationGetDescr(L->source), sa - 1)->atttypid != att->atttypid)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("column \"%s\" of live leaderboard \"%s\" is no longer a column of that type in \"%s\"",
							NameStr(att->attname), b->name, RelationGetRelationName(L->source)),
					 errhint("Recreate the board with gamestats.drop_leaderboard() and gamestats.create_live_leaderboard().")));
		L->outmap[i] = sa;
	}

	/* keep it: the FmgrInfos were made in the caller's context, redo them */
	if (e->outmap)
		pfree(e->outmap);
	e->outmap = MemoryContextAlloc(CacheMemoryContext, sizeof(AttrNumber) * Max(bdesc->natts, 1));
	memcpy(e->outmap, L->outmap, sizeof(AttrNumber) * bdesc->natts);
	e->natts = bdesc->natts;
	e->source = st->source;
	e->src_key_index = L->src_key_index;
	e->src_order_index = L->src_order_index;
	e->board_order_index = L->board_order_index;
	e->journal_order_index = L->journal_order_index;
	e->compacted_order_index = L->compacted_order_index;
	e->sums_order_index = L->sums_order_index;
	memcpy(e->src_att, L->src_att, sizeof(e->src_att));
	for (i = 0; i < 3; i++)
	{
		e->coll[i] = L->coll[i];
		if (OidIsValid(L->cmp[i].fn_oid))
			fmgr_info_cxt(L->cmp[i].fn_oid, &e->cmp[i], CacheMemoryContext);
		else
			e->cmp[i].fn_oid = InvalidOid;
	}
	e->valid = true;
}

/*
 * Opens what a live read needs; "board" is open.  Errors out when the
 * board's storage is not the fold this snapshot sees, or the journal
 * cannot be trusted.
 */
static void
live_open(LiveRead *L, Relation board, GsBoard *b, Datum segment)
{
	GsLiveState st;
	GsLiveState latest;

	memset(L, 0, sizeof(LiveRead));
	L->b = b;
	L->board = board;
	L->segment = segment;
	L->nseg = gs_board_segmented(b) ? 1 : 0;
	L->has_tb = b->column[GS_COL_TIEBREAK] != NULL;

	if (!gs_live_state(b->relid, GetActiveSnapshot(), &st) ||
		st.fold_filenode != board->rd_rel->relfilenode)
	{
		if (gs_live_state(b->relid, NULL, &latest) &&
			latest.fold_filenode == board->rd_rel->relfilenode)
			ereport(ERROR,
					(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
					 errmsg("live leaderboard \"%s\" was folded after this transaction's snapshot was taken",
							b->name),
					 errdetail("Its storage holds a fold that this snapshot does not see: the ranks would mix two states."),
					 errhint("Retry the transaction.")));
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("live leaderboard \"%s\" was refreshed outside pg_gamestats", b->name),
				 errdetail("REFRESH MATERIALIZED VIEW or a restore rebuilt its storage, which no longer matches its journal."),
				 errhint("Fold it with gamestats.refresh_leaderboard('%s').", b->name)));
	}

	L->source = relation_open(st.source, AccessShareLock);
	if (!live_trigger_ok(L->source, GS_LIVE_TRIGGER) ||
		!live_trigger_ok(L->source, GS_LIVE_TRUNCATE_TRIGGER))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("triggers %s and %s of \"%s\" must be enabled ALWAYS for live leaderboard \"%s\"",
						GS_LIVE_TRIGGER, GS_LIVE_TRUNCATE_TRIGGER,
						RelationGetRelationName(L->source), b->name),
				 errdetail("Changes made while a trigger is off are missing from the journal: live ranks would be wrong."),
				 errhint("ALTER TABLE %s ENABLE ALWAYS TRIGGER %s, ENABLE ALWAYS TRIGGER %s; then fold the board with gamestats.refresh_leaderboard().",
						 gs_qualified_name(st.source), GS_LIVE_TRIGGER, GS_LIVE_TRUNCATE_TRIGGER)));
	L->journal = relation_open(st.journal, AccessShareLock);
	L->compacted = relation_open(st.compacted, AccessShareLock);
	L->sums = relation_open(st.sums, AccessShareLock);
	live_layout(L, board, &st);
}

static void
live_close(LiveRead *L)
{
	int			i;

	for (i = 0; i < lengthof(L->scans); i++)
		if (L->opened[i])
			scan_close(&L->scans[i]);
	relation_close(L->sums, NoLock);
	relation_close(L->compacted, NoLock);
	relation_close(L->journal, NoLock);
	relation_close(L->source, NoLock);
}

/* <0: a comes first in board order (beats b), 0: same place, >0: after */
static int
live_cmp(LiveRead *L, const LiveKey *a, const LiveKey *b, LiveCmp mode)
{
	int			r;

	r = DatumGetInt32(FunctionCall2Coll(&L->cmp[0], L->coll[0], a->score, b->score));
	if (L->b->descending)
		r = -r;
	if (r != 0 || mode == LIVE_CMP_SCORE)
		return r;
	if (L->has_tb)
	{
		r = DatumGetInt32(FunctionCall2Coll(&L->cmp[1], L->coll[1], a->tiebreak, b->tiebreak));
		if (r != 0 || mode == LIVE_CMP_KEY)
			return r;
	}
	else if (mode == LIVE_CMP_KEY)
		return 0;
	return DatumGetInt32(FunctionCall2Coll(&L->cmp[2], L->coll[2], a->player, b->player));
}

/* The key of the slot's row; attnos: score, tiebreak, player */
static void
live_slot_key(TupleTableSlot *slot, AttrNumber score, AttrNumber tb, AttrNumber player,
			  LiveKey *k)
{
	bool		isnull;

	k->score = slot_getattr(slot, score, &isnull);
	k->tiebreak = tb != InvalidAttrNumber ? slot_getattr(slot, tb, &isnull) : (Datum) 0;
	k->player = slot_getattr(slot, player, &isnull);
}

static void
live_scan_open(LiveRead *L, ScanTarget *t, Relation heap, Oid index)
{
	scan_open(t, heap, index);
	if (L->nseg)
		scan_add_eq_key(t, 0, L->segment, L->b->segment_type, "segment");
}

/* One of the scans the counts share within a call, reset to its segment key */
static ScanTarget *
live_pooled(LiveRead *L, LiveScan which)
{
	ScanTarget *t = &L->scans[which];

	if (!L->opened[which])
	{
		switch (which)
		{
			case LS_BOARD:
				live_scan_open(L, t, L->board, L->board_order_index);
				break;
			case LS_JOURNAL:
				live_scan_open(L, t, L->journal, L->journal_order_index);
				break;
			case LS_SUMS:
				live_scan_open(L, t, L->sums, L->sums_order_index);
				break;
			case LS_COMPACTED:
				live_scan_open(L, t, L->compacted, L->compacted_order_index);
				break;
		}
		L->opened[which] = true;
	}
	t->nkeys = L->nseg;
	return t;
}

/*
 * Positions "t" (an order index with the segment key set) at the first
 * entry that does not beat "k" in "mode"; false if there is none.
 */
static bool
live_probe(LiveRead *L, ScanTarget *t, const LiveKey *k, LiveCmp mode)
{
	int			pos = L->nseg;

	t->nkeys = L->nseg;
	scan_add_key(t, pos, BTEqualStrategyNumber, k->score, t->index->rd_opcintype[pos]);
	if (mode == LIVE_CMP_FULL && L->has_tb)
		scan_add_row_key(t, pos + 1, BTGreaterEqualStrategyNumber, k->tiebreak, k->player);
	else if (mode == LIVE_CMP_FULL)
		scan_add_key(t, pos + 1, BTGreaterEqualStrategyNumber, k->player,
					 t->index->rd_opcintype[pos + 1]);
	else if (mode == LIVE_CMP_KEY && L->has_tb)
		scan_add_key(t, pos + 1, BTGreaterEqualStrategyNumber, k->tiebreak,
					 t->index->rd_opcintype[pos + 1]);
	scan_rescan(t);
	if (scan_next(t, ForwardScanDirection))
		return true;
	/* the next score in board order */
	t->nkeys = L->nseg;
	scan_add_key(t, pos, L->b->descending ? BTLessStrategyNumber : BTGreaterStrategyNumber,
				 k->score, t->index->rd_opcintype[pos]);
	scan_rescan(t);
	return scan_next(t, ForwardScanDirection);
}

/* Rows of the last fold (in the segment) */
static int64
live_fold_rows(LiveRead *L)
{
	return gs_board_rows(L->b, L->segment);
}

/*
 * A walk through an order index (segment key set) from key "from", in
 * board order (forward) or against it: the entries after "from" (forward)
 * or before it, where "after" and "before" compare as "mode" does -- or,
 * "inclusive", also those level with it.
 */
typedef struct LiveWalk
{
	ScanTarget *t;
	LiveKey		from;
	LiveCmp		mode;
	bool		inclusive;
	ScanDirection dir;
	int			phase;			/* 0: the from score, 1: the other scores, 2: done */
} LiveWalk;

static void
live_walk_phase(LiveRead *L, LiveWalk *w)
{
	ScanTarget *t = w->t;
	int			pos = L->nseg;
	bool		forward = ScanDirectionIsForward(w->dir);

	t->nkeys = L->nseg;
	if (w->phase == 0)
	{
		StrategyNumber s = forward ?
			(w->inclusive ? BTGreaterEqualStrategyNumber : BTGreaterStrategyNumber) :
			(w->inclusive ? BTLessEqualStrategyNumber : BTLessStrategyNumber);

		scan_add_key(t, pos, BTEqualStrategyNumber, w->from.score, t->index->rd_opcintype[pos]);
		if (w->mode == LIVE_CMP_FULL && L->has_tb)
			scan_add_row_key(t, pos + 1, s, w->from.tiebreak, w->from.player);
		else if (w->mode == LIVE_CMP_FULL)
			scan_add_key(t, pos + 1, s, w->from.player, t->index->rd_opcintype[pos + 1]);
		else if (w->mode == LIVE_CMP_KEY && L->has_tb)
			scan_add_key(t, pos + 1, s, w->from.tiebreak, t->index->rd_opcintype[pos + 1]);
		else if (!w->inclusive)
		{
			/* nothing at the from score is strictly after it */
			w->phase = 1;
			live_walk_phase(L, w);
			return;
		}
	}
	else
	{
		/* the scores after (before) the from score in board order */
		StrategyNumber s = (forward == L->b->descending) ? BTLessStrategyNumber : BTGreaterStrategyNumber;

		scan_add_key(t, pos, s, w->from.score, t->index->rd_opcintype[pos]);
	}
	scan_rescan(t);
}

static void
live_walk_begin(LiveRead *L, LiveWalk *w, ScanTarget *t, const LiveKey *from, LiveCmp mode,
				bool inclusive, ScanDirection dir)
{
	w->t = t;
	w->from = *from;
	w->mode = mode;
	w->inclusive = inclusive;
	w->dir = dir;
	w->phase = 0;
	live_walk_phase(L, w);
}

/* The next entry of the walk into w->t->slot; false at its end. */
static bool
live_walk_next(LiveRead *L, LiveWalk *w)
{
	while (w->phase < 2)
	{
		if (scan_next(w->t, w->dir))
			return true;
		if (++w->phase < 2)
			live_walk_phase(L, w);
	}
	return false;
}

/* The key of an entry of the journal, its compacted form or its sums */
static void
live_journal_key(LiveRead *L, TupleTableSlot *slot, LiveKey *k)
{
	live_slot_key(slot, GS_JOURNAL_SCORE, L->has_tb ? GS_JOURNAL_TIEBREAK : InvalidAttrNumber,
				  GS_JOURNAL_PLAYER, k);
}

/* A copy of column "attno" of "rel" that outlives the slot */
static Datum
live_datum_copy(Relation rel, AttrNumber attno, Datum d)
{
	Form_pg_attribute att = TupleDescAttr(RelationGetDescr(rel), attno - 1);

	return datumCopy(d, att->attbyval, att->attlen);
}

/*
 * The compacted changes that beat k in "mode": the running sum kept at the
 * last boundary entry that beats k, plus the compacted entries from that
 * boundary on that still beat k -- fewer than GS_LIVE_SUMS_EVERY.
 */
static int64
live_compacted_count(LiveRead *L, const LiveKey *k, LiveCmp mode)
{
	ScanTarget *t;
	LiveWalk	w;
	LiveKey		boundary;
	int64		count = 0;
	bool		found;
	bool		isnull;

	t = live_pooled(L, LS_SUMS);
	live_walk_begin(L, &w, t, k, mode, false, BackwardScanDirection);
	/* (the NULL key of the per-segment total sorts last: never before k) */
	found = live_walk_next(L, &w);
	if (found)
	{
		count = DatumGetInt64(slot_getattr(t->slot, GS_JOURNAL_DELTA, &isnull));
		live_journal_key(L, t->slot, &boundary);
		boundary.score = live_datum_copy(t->heap, GS_JOURNAL_SCORE, boundary.score);
		if (L->has_tb)
			boundary.tiebreak = live_datum_copy(t->heap, GS_JOURNAL_TIEBREAK, boundary.tiebreak);
		boundary.player = live_datum_copy(t->heap, GS_JOURNAL_PLAYER, boundary.player);
	}
	if (!found)
		return 0;

	t = live_pooled(L, LS_COMPACTED);
	live_walk_begin(L, &w, t, &boundary, LIVE_CMP_FULL, true, ForwardScanDirection);
	while (live_walk_next(L, &w))
	{
		LiveKey		e;

		live_journal_key(L, t->slot, &e);
		if (live_cmp(L, &e, k, mode) >= 0)
			break;
		count += DatumGetInt16(slot_getattr(t->slot, GS_JOURNAL_DELTA, &isnull));
	}
	return count;
}

/* The compacted changes of the segment: the total the sums keep */
static int64
live_compacted_total(LiveRead *L)
{
	ScanTarget *t;
	int64		total = 0;
	bool		isnull;

	t = live_pooled(L, LS_SUMS);
	scan_rescan(t);
	if (scan_next(t, BackwardScanDirection))
	{
		(void) slot_getattr(t->slot, GS_JOURNAL_SCORE, &isnull);
		if (isnull)
			total = DatumGetInt64(slot_getattr(t->slot, GS_JOURNAL_DELTA, &isnull));
	}
	return total;
}

/*
 * Rows that beat "k" in "mode" ('competition', 'ordinal'), or distinct
 * (score, tiebreak) keys that beat it ('dense'), as the snapshot sees the
 * source: counted in the fold, corrected by the journal.
 */
static int64
live_count(LiveRead *L, const LiveKey *k, LiveCmp mode)
{
	GsBoard    *b = L->b;
	bool		dense = b->rank_type == GS_RANK_DENSE;
	ScanTarget *t;
	int64		count;
	bool		isnull;
	AttrNumber	btb = L->has_tb ? get_attnum(b->relid, b->column[GS_COL_TIEBREAK]) : InvalidAttrNumber;

	/* the fold: the rank of the first row that does not beat k */
	t = live_pooled(L, LS_BOARD);
	if (live_probe(L, t, k, mode))
		count = DatumGetInt64(slot_getattr(t->slot, b->attno[GS_COL_RANK], &isnull)) - 1;
	else if (!dense)
		count = live_fold_rows(L);
	else
	{
		/* the last rank */
		t->nkeys = L->nseg;
		scan_rescan(t);
		count = scan_next(t, BackwardScanDirection) ?
			DatumGetInt64(slot_getattr(t->slot, b->attno[GS_COL_RANK], &isnull)) : 0;
	}

	/* the journal: its entries that beat k, in board order */
	t = live_pooled(L, LS_JOURNAL);
	scan_rescan(t);
	if (!dense)
	{
		while (scan_next(t, ForwardScanDirection))
		{
			LiveKey		e;

			live_slot_key(t->slot, GS_JOURNAL_SCORE, L->has_tb ? GS_JOURNAL_TIEBREAK : InvalidAttrNumber,
						  GS_JOURNAL_PLAYER, &e);
			if (live_cmp(L, &e, k, mode) >= 0)
				break;
			count += DatumGetInt16(slot_getattr(t->slot, GS_JOURNAL_DELTA, &isnull));
		}
		count += live_compacted_count(L, k, mode);
	}
	else
	{
		/*
		 * A key counts once however many players hold it: for each key of
		 * the journal that beats k and whose number of players changed,
		 * whether it is held now and whether it was in the fold.
		 */
		ScanTarget *bt,
					st;
		LiveKey		group;
		HeapTuple	grouptup = NULL;
		int64		net = 0;
		bool		more = true;

		bt = live_pooled(L, LS_BOARD);
		live_scan_open(L, &st, L->source, L->src_order_index);
		while (more)
		{
			LiveKey		e;
			bool		same;

			more = scan_next(t, ForwardScanDirection);
			if (more)
			{
				live_slot_key(t->slot, GS_JOURNAL_SCORE, L->has_tb ? GS_JOURNAL_TIEBREAK : InvalidAttrNumber,
							  GS_JOURNAL_PLAYER, &e);
				if (live_cmp(L, &e, k, mode) >= 0)
					more = false;
			}
			same = more && grouptup != NULL && live_cmp(L, &e, &group, LIVE_CMP_KEY) == 0;
			if (!same && grouptup != NULL && net != 0)
			{
				bool		was,
							is;
				LiveKey		f;

				was = live_probe(L, bt, &group, LIVE_CMP_KEY);
				if (was)
				{
					live_slot_key(bt->slot, b->attno[GS_COL_SCORE], btb, b->attno[GS_COL_PLAYER], &f);
					was = live_cmp(L, &f, &group, LIVE_CMP_KEY) == 0;
				}
				is = live_probe(L, &st, &group, LIVE_CMP_KEY);
				if (is)
				{
					live_slot_key(st.slot, L->src_att[GS_COL_SCORE], L->src_att[GS_COL_TIEBREAK],
								  L->src_att[GS_COL_PLAYER], &f);
					is = live_cmp(L, &f, &group, LIVE_CMP_KEY) == 0;
				}
				count += (is ? 1 : 0) - (was ? 1 : 0);
			}
			if (!more)
				break;
			if (!same)
			{
				if (grouptup)
					heap_freetuple(grouptup);
				grouptup = ExecCopySlotHeapTuple(t->slot);
				group.score = heap_getattr(grouptup, GS_JOURNAL_SCORE, RelationGetDescr(L->journal), &isnull);
				group.tiebreak = L->has_tb ? heap_getattr(grouptup, GS_JOURNAL_TIEBREAK, RelationGetDescr(L->journal), &isnull) : (Datum) 0;
				group.player = heap_getattr(grouptup, GS_JOURNAL_PLAYER, RelationGetDescr(L->journal), &isnull);
				net = 0;
			}
			net += DatumGetInt16(slot_getattr(t->slot, GS_JOURNAL_DELTA, &isnull));
		}
		scan_close(&st);
	}
	return count;
}

/* The live rank of the player whose key is "k" */
static int64
live_rank(LiveRead *L, const LiveKey *k)
{
	return 1 + live_count(L, k, L->b->rank_type == GS_RANK_ORDINAL ? LIVE_CMP_FULL : LIVE_CMP_KEY);
}

/* The board's row for the source row in "slot", with "rank" */
static void
live_emit(LiveRead *L, Tuplestorestate *out, TupleTableSlot *slot, int64 rank)
{
	TupleDesc	bdesc = RelationGetDescr(L->board);
	Datum	   *values = palloc(sizeof(Datum) * bdesc->natts);
	bool	   *nulls = palloc(sizeof(bool) * bdesc->natts);
	HeapTuple	tup;
	int			i;

	slot_getallattrs(slot);
	for (i = 0; i < bdesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(bdesc, i);

		if (att->attnum == L->b->attno[GS_COL_RANK])
		{
			values[i] = Int64GetDatum(rank);
			nulls[i] = false;
			continue;
		}
		if (L->outmap[i] == 0)
		{
			values[i] = (Datum) 0;
			nulls[i] = true;
			continue;
		}
		values[i] = slot->tts_values[L->outmap[i] - 1];
		nulls[i] = slot->tts_isnull[L->outmap[i] - 1];
		if (!nulls[i] && att->attlen == -1 && VARATT_IS_EXTERNAL(DatumGetPointer(values[i])))
			values[i] = PointerGetDatum(detoast_external_attr((struct varlena *)
															  DatumGetPointer(values[i])));
	}
	tup = heap_form_tuple(bdesc, values, nulls);
	tuplestore_puttuple(out, tup);
	heap_freetuple(tup);
	pfree(values);
	pfree(nulls);
}

static void
live_source_key(LiveRead *L, TupleTableSlot *slot, LiveKey *k)
{
	live_slot_key(slot, L->src_att[GS_COL_SCORE], L->src_att[GS_COL_TIEBREAK],
				  L->src_att[GS_COL_PLAYER], k);
}

/* Is the source row in "slot" on the board (no NULL or NaN in its key)? */
static bool
live_ranked(LiveRead *L, TupleTableSlot *slot)
{
	bool		isnull;
	Datum		score;
	Oid			type;
	int			i;

	for (i = 0; i < GS_COL_RANK; i++)
		if (L->src_att[i] != InvalidAttrNumber)
		{
			(void) slot_getattr(slot, L->src_att[i], &isnull);
			if (isnull)
				return false;
		}
	score = slot_getattr(slot, L->src_att[GS_COL_SCORE], &isnull);
	type = getBaseType(TupleDescAttr(RelationGetDescr(L->source), L->src_att[GS_COL_SCORE] - 1)->atttypid);
	if (gs_score_is_nan(type, score))
		return false;
	return true;
}

/*
 * Emits the rows "rows" (source tuples, contiguous in board order) with
 * their live ranks; the first row's rank is "first_rank" and its position
 * "first_pos" (needed for ordinal only); rows ranked below from_rank are
 * skipped.
 */
static void
live_emit_window(LiveRead *L, Tuplestorestate *out, List *rows, int64 first_rank,
				 bool first_starts_group, TupleTableSlot *slot, int64 from_rank, int limit)
{
	ListCell   *lc;
	int64		rank = first_rank;
	int64		offset = 0;
	/* competition: rank and offset of a row known to start its tie group */
	int64		change_rank = first_starts_group ? first_rank : -1;
	int64		change_offset = 0;
	LiveKey		prev;
	HeapTuple	prevtup = NULL;
	int			emitted = 0;

	foreach(lc, rows)
	{
		HeapTuple	tup = (HeapTuple) lfirst(lc);
		LiveKey		k;

		ExecForceStoreHeapTuple(tup, slot, false);
		live_source_key(L, slot, &k);
		if (prevtup != NULL)
		{
			bool		tie = live_cmp(L, &k, &prev, LIVE_CMP_KEY) == 0;

			switch (L->b->rank_type)
			{
				case GS_RANK_ORDINAL:
					rank++;
					break;
				case GS_RANK_DENSE:
					if (!tie)
						rank++;
					break;
				case GS_RANK_COMPETITION:
					if (tie)
						break;
					if (change_rank < 0)
					{
						/* ties before the window may precede this row: count */
						change_rank = 1 + live_count(L, &k, LIVE_CMP_KEY);
						change_offset = offset;
						rank = change_rank;
					}
					else
						rank = change_rank + (offset - change_offset);
					break;
			}
		}
		if (rank >= from_rank && emitted < limit)
		{
			live_emit(L, out, slot, rank);
			emitted++;
		}
		prev = k;
		prevtup = tup;
		offset++;
	}
}

/* A copy of the slot's row that outlives the scan */
static HeapTuple
live_copy(TupleTableSlot *slot)
{
	return ExecCopySlotHeapTuple(slot);
}

/* Up to "limit" source rows after (dir forward) or before the key k */
static List *
live_side(LiveRead *L, ScanTarget *t, const LiveKey *k, int limit, ScanDirection dir)
{
	List	   *rows = NIL;
	LiveWalk	w;

	if (limit <= 0)
		return NIL;
	live_walk_begin(L, &w, t, k, LIVE_CMP_FULL, false, dir);
	while (list_length(rows) < limit && live_walk_next(L, &w))
		rows = ScanDirectionIsForward(dir) ? lappend(rows, live_copy(t->slot)) :
			lcons(live_copy(t->slot), rows);
	return rows;
}

/* The source row of "player" into the key index scan's slot; false if none or unranked. */
static bool
live_find_player(LiveRead *L, ScanTarget *t, Datum player, Oid playertype)
{
	int			segpos = 0;
	int			playerpos = 0;
	HeapTuple	idxtup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(L->src_key_index));
	Form_pg_index idx;

	if (!HeapTupleIsValid(idxtup))
		elog(ERROR, "cache lookup failed for index %u", L->src_key_index);
	idx = (Form_pg_index) GETSTRUCT(idxtup);
	if (L->nseg && idx->indkey.values[0] == L->src_att[GS_COL_SEGMENT])
		playerpos = 1;
	else if (L->nseg)
		segpos = 1;
	ReleaseSysCache(idxtup);

	t->nkeys = 0;
	if (L->nseg && segpos == 0)
		scan_add_eq_key(t, 0, L->segment, L->b->segment_type, "segment");
	scan_add_eq_key(t, playerpos, player, playertype, "player");
	if (L->nseg && segpos == 1)
		scan_add_eq_key(t, 1, L->segment, L->b->segment_type, "segment");
	scan_rescan(t);
	return scan_next(t, ForwardScanDirection) && live_ranked(L, t->slot);
}

/* submit_score: the player's board row with its live rank */
void
gs_live_emit_player(FunctionCallInfo fcinfo, Relation board, GsBoard *b,
					Datum player, Oid playertype, Datum segment)
{
	Tuplestorestate *out = srf_init(fcinfo, board);
	LiveRead	L;
	ScanTarget	t;

	b = gs_board_open(board);
	live_open(&L, board, b, segment);
	scan_open(&t, L.source, L.src_key_index);
	if (live_find_player(&L, &t, player, playertype))
	{
		LiveKey		k;

		live_source_key(&L, t.slot, &k);
		live_emit(&L, out, t.slot, live_rank(&L, &k));
	}
	scan_close(&t);
	live_close(&L);
}

static void
live_top(LiveRead *L, Tuplestorestate *out, int32 n, int64 from_rank)
{
	ScanTarget	t;
	int64		pos = 0;
	int64		rank = 0;
	int			emitted = 0;
	LiveKey		prev;
	HeapTuple	prevtup = NULL;

	/*
	 * From the top of the source's order index, ranks counted on the way:
	 * a page far down costs a walk from the top (O(from_rank)).
	 */
	live_scan_open(L, &t, L->source, L->src_order_index);
	scan_rescan(&t);
	while (emitted < n && scan_next(&t, ForwardScanDirection))
	{
		LiveKey		k;
		HeapTuple	tup = ExecCopySlotHeapTuple(t.slot);
		bool		isnull;
		TupleDesc	desc = RelationGetDescr(L->source);

		pos++;
		k.score = heap_getattr(tup, L->src_att[GS_COL_SCORE], desc, &isnull);
		k.tiebreak = L->has_tb ? heap_getattr(tup, L->src_att[GS_COL_TIEBREAK], desc, &isnull) : (Datum) 0;
		k.player = heap_getattr(tup, L->src_att[GS_COL_PLAYER], desc, &isnull);
		if (L->b->rank_type == GS_RANK_ORDINAL || prevtup == NULL)
			rank = L->b->rank_type == GS_RANK_DENSE ? rank + 1 : pos;
		else if (live_cmp(L, &k, &prev, LIVE_CMP_KEY) != 0)
			rank = L->b->rank_type == GS_RANK_DENSE ? rank + 1 : pos;
		if (rank >= from_rank)
		{
			live_emit(L, out, t.slot, rank);
			emitted++;
		}
		if (prevtup)
			heap_freetuple(prevtup);
		prevtup = tup;
		prev = k;
	}
	if (prevtup)
		heap_freetuple(prevtup);
	scan_close(&t);
}

static void
live_around(LiveRead *L, Tuplestorestate *out, Datum player, Oid playertype,
			int before, int after)
{
	ScanTarget	p,
				t;
	LiveKey		k;
	List	   *rows;
	List	   *below;
	TupleTableSlot *slot;
	LiveKey		first;
	HeapTuple	me;
	bool		starts;

	scan_open(&p, L->source, L->src_key_index);
	if (!live_find_player(L, &p, player, playertype))
	{
		scan_close(&p);
		return;
	}
	me = live_copy(p.slot);
	live_source_key(L, p.slot, &k);
	live_scan_open(L, &t, L->source, L->src_order_index);
	/* one row more above: whether the window's first row starts its tie group */
	rows = live_side(L, &t, &k, before + 1, BackwardScanDirection);
	rows = lappend(rows, me);
	below = live_side(L, &t, &k, after, ForwardScanDirection);
	rows = list_concat(rows, below);

	slot = MakeSingleTupleTableSlot(RelationGetDescr(L->source), &TTSOpsHeapTuple);
	if (list_length(rows) > before + 1 + list_length(below))
	{
		LiveKey		pred;
		HeapTuple	predtup = (HeapTuple) linitial(rows);

		rows = list_delete_first(rows);
		ExecForceStoreHeapTuple(predtup, slot, false);
		live_source_key(L, slot, &pred);
		ExecForceStoreHeapTuple((HeapTuple) linitial(rows), slot, false);
		live_source_key(L, slot, &first);
		starts = live_cmp(L, &pred, &first, LIVE_CMP_KEY) != 0;
	}
	else
	{
		/* nothing above: the first row is the board's first */
		ExecForceStoreHeapTuple((HeapTuple) linitial(rows), slot, false);
		live_source_key(L, slot, &first);
		starts = true;
	}
	live_emit_window(L, out, rows, live_rank(L, &first), starts, slot, 1, INT_MAX);
	ExecDropSingleTupleTableSlot(slot);
	scan_close(&t);
	scan_close(&p);
}

static void
live_ranks(LiveRead *L, Tuplestorestate *out, KeyArray *keys)
{
	ScanTarget	t;
	int			i;

	scan_open(&t, L->source, L->src_key_index);
	for (i = 0; i < keys->n; i++)
	{
		LiveKey		k;

		if (keys->nulls[i])
			continue;
		if (!live_find_player(L, &t, keys->values[i], keys->elemtype))
			continue;
		live_source_key(L, t.slot, &k);
		live_emit(L, out, t.slot, live_rank(L, &k));
	}
	scan_close(&t);
}

/* Players on the live board (in the segment) */
static int64
live_size(LiveRead *L)
{
	ScanTarget *t;
	int64		n = live_fold_rows(L);
	bool		isnull;

	t = live_pooled(L, LS_JOURNAL);
	scan_rescan(t);
	while (scan_next(t, ForwardScanDirection))
		n += DatumGetInt16(slot_getattr(t->slot, GS_JOURNAL_DELTA, &isnull));
	return n + live_compacted_total(L);
}

/* ---------------------------------------------------------------------
 * SQL-callable functions
 * ---------------------------------------------------------------------
 */

/*
 * gamestats.top(board anyelement, n integer DEFAULT 10, from_rank bigint
 *               DEFAULT 1, segment text DEFAULT NULL) RETURNS SETOF anyelement
 *
 * n rows of the board in rank order starting at from_rank; ties in player
 * order.  Locks: ACCESS SHARE on the board and its rank index.
 */
PG_FUNCTION_INFO_V1(gamestats_top);
Datum
gamestats_top(PG_FUNCTION_ARGS)
{
	GsBoard    *b;
	Relation	rel;
	ScanTarget	t;
	Tuplestorestate *out;
	int32		n;
	int64		from_rank;
	int			seg;
	int			i;

	gs_require_arg(fcinfo, 1, "n");
	gs_require_arg(fcinfo, 2, "from_rank");
	check_nonnegative(fcinfo, 1, "n");
	n = PG_GETARG_INT32(1);
	from_rank = PG_GETARG_INT64(2);
	if (from_rank < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("from_rank must be at least 1"),
				 errdetail("Ranks start at 1.")));
	if (n > gamestats_max_batch)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%d rows exceed the batch limit of %d", n, gamestats_max_batch),
				 errhint("Page through the board with from_rank, or raise gamestats.max_batch.")));

	rel = open_board(fcinfo, "top", &b);
	out = srf_init(fcinfo, rel);
	if (gs_board_live(b))
	{
		LiveRead	L;
		Datum		segment;

		if (segment_arg(b, rel, fcinfo, 3, &segment))
		{
			live_open(&L, rel, b, segment);
			live_top(&L, out, n, from_rank);
			live_close(&L);
		}
		relation_close(rel, NoLock);
		return (Datum) 0;
	}
	scan_open(&t, rel, b->index[GS_INDEX_RANK]);
	seg = scan_add_segment(&t, b, fcinfo, 3);
	scan_add_key(&t, seg, BTGreaterEqualStrategyNumber, Int64GetDatum(from_rank), INT8OID);
	scan_rescan(&t);
	for (i = 0; i < n && scan_next(&t, ForwardScanDirection); i++)
		emit(out, t.slot);
	scan_close(&t);
	relation_close(rel, NoLock);
	return (Datum) 0;
}

/*
 * Emits up to "limit" rows before (dir backward) or after (dir forward) the
 * player's row in (rank, player) order -- one scan of the rank index with a
 * row comparison -- in rank order.
 */
static void
emit_side(ScanTarget *t, int seg, Datum rank, Datum player, int limit,
		  ScanDirection dir, Tuplestorestate *out)
{
	bool		forward = ScanDirectionIsForward(dir);
	List	   *above = NIL;
	ListCell   *lc;
	int			got;

	if (limit == 0)
		return;
	t->nkeys = seg;				/* keep the segment key, if any */
	scan_add_row_key(t, seg, forward ? BTGreaterStrategyNumber : BTLessStrategyNumber,
					 rank, player);
	scan_rescan(t);
	for (got = 0; got < limit && scan_next(t, dir); got++)
	{
		if (forward)
			emit(out, t->slot);
		else
			above = lcons(form_detached(t->slot), above);
	}
	foreach(lc, above)
		tuplestore_puttuple(out, (HeapTuple) lfirst(lc));
	list_free_deep(above);
}

/*
 * gamestats.around(board anyelement, player anycompatible, before integer
 *                  DEFAULT 5, after integer DEFAULT 5, segment text DEFAULT
 *                  NULL) RETURNS SETOF anyelement
 *
 * The player's row with up to "before" rows above and "after" rows below it
 * in rank order; no rows if the player is not on the board.  Locks: ACCESS
 * SHARE on the board and its player and rank indexes.
 */
PG_FUNCTION_INFO_V1(gamestats_around);
Datum
gamestats_around(PG_FUNCTION_ARGS)
{
	GsBoard    *b;
	Relation	rel;
	ScanTarget	p,
				r;
	Tuplestorestate *out;
	int			seg;
	Datum		player,
				rank;
	bool		isnull;

	gs_require_arg(fcinfo, 2, "before");
	gs_require_arg(fcinfo, 3, "after");
	check_nonnegative(fcinfo, 2, "before");
	check_nonnegative(fcinfo, 3, "after");
	if ((int64) PG_GETARG_INT32(2) + PG_GETARG_INT32(3) >= gamestats_max_batch)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("before + after exceed the batch limit of %d", gamestats_max_batch),
				 errhint("Ask for fewer neighbours, or raise gamestats.max_batch.")));

	rel = open_board(fcinfo, "around", &b);
	out = srf_init(fcinfo, rel);
	if (PG_ARGISNULL(1))
	{
		relation_close(rel, NoLock);
		return (Datum) 0;
	}
	if (gs_board_live(b))
	{
		LiveRead	L;
		Datum		segment;

		if (segment_arg(b, rel, fcinfo, 4, &segment))
		{
			live_open(&L, rel, b, segment);
			live_around(&L, out, PG_GETARG_DATUM(1), get_fn_expr_argtype(fcinfo->flinfo, 1),
						PG_GETARG_INT32(2), PG_GETARG_INT32(3));
			live_close(&L);
		}
		relation_close(rel, NoLock);
		return (Datum) 0;
	}

	/* the player's own row */
	scan_open(&p, rel, b->index[GS_INDEX_PLAYER]);
	seg = scan_add_segment(&p, b, fcinfo, 4);
	scan_add_eq_key(&p, seg, PG_GETARG_DATUM(1), get_fn_expr_argtype(fcinfo->flinfo, 1),
					"player");
	scan_rescan(&p);
	if (!scan_next(&p, ForwardScanDirection))
	{
		scan_close(&p);
		relation_close(rel, NoLock);
		return (Datum) 0;
	}
	rank = slot_getattr(p.slot, b->attno[GS_COL_RANK], &isnull);
	player = slot_getattr(p.slot, b->attno[GS_COL_PLAYER], &isnull);

	scan_open(&r, rel, b->index[GS_INDEX_RANK]);
	seg = scan_add_segment(&r, b, fcinfo, 4);
	emit_side(&r, seg, rank, player, PG_GETARG_INT32(2), BackwardScanDirection, out);
	emit(out, p.slot);
	emit_side(&r, seg, rank, player, PG_GETARG_INT32(3), ForwardScanDirection, out);

	scan_close(&r);
	scan_close(&p);
	relation_close(rel, NoLock);
	return (Datum) 0;
}

/*
 * Emits the row of each key, in input order, through the unique index of
 * "t" whose key column "fixed" (after the segment, if any) takes the keys.
 * The scan key is prepared once; keys that need no cast only swap its
 * argument.
 */
static void
emit_by_keys(ScanTarget *t, int fixed, KeyArray *keys, Tuplestorestate *out)
{
	MemoryContext percall = NULL;
	bool		prepared = false;
	bool		text_keys_on_bpchar;
	int			i;

	/*
	 * SQL compares a char(n) column with text keys as text, the column's
	 * trailing spaces removed: a key that ends in a space never matches,
	 * and for every other key that is what char(n) equality finds.
	 * (varchar keys compare as char(n), spaces ignored, as in SQL.)
	 */
	text_keys_on_bpchar = t->index->rd_opcintype[fixed] == BPCHAROID &&
		keys->elemtype == TEXTOID;

	for (i = 0; i < keys->n; i++)
	{
		if (keys->nulls[i])
			continue;
		if (text_keys_on_bpchar)
		{
			text	   *k = DatumGetTextPP(keys->values[i]);
			int			len = VARSIZE_ANY_EXHDR(k);

			if (len > 0 && VARDATA_ANY(k)[len - 1] == ' ')
				continue;
		}
		if (!prepared)
		{
			t->nkeys = fixed;
			scan_add_eq_key(t, fixed, keys->values[i], keys->elemtype, "key");
			prepared = true;
		}
		else if (t->keys[fixed].sk_subtype == keys->elemtype)
			t->keys[fixed].sk_argument = keys->values[i];
		else
		{
			/* each key goes through a cast: keep its garbage per key */
			MemoryContext old;

			if (percall == NULL)
				percall = AllocSetContextCreate(CurrentMemoryContext, "pg_gamestats key",
												ALLOCSET_SMALL_SIZES);
			MemoryContextReset(percall);
			old = MemoryContextSwitchTo(percall);
			t->nkeys = fixed;
			scan_add_eq_key(t, fixed, keys->values[i], keys->elemtype, "key");
			MemoryContextSwitchTo(old);
		}
		scan_rescan(t);
		if (scan_next(t, ForwardScanDirection))
			emit(out, t->slot);
	}
	if (percall)
		MemoryContextDelete(percall);
}

/*
 * gamestats.ranks(board anyelement, players anycompatiblearray, segment
 *                 text DEFAULT NULL) RETURNS SETOF anyelement
 *
 * The board rows of the given players in input order: a repeated player
 * each time, absent and NULL players skipped.  Locks: ACCESS SHARE on the
 * board and its player index.
 */
PG_FUNCTION_INFO_V1(gamestats_ranks);
Datum
gamestats_ranks(PG_FUNCTION_ARGS)
{
	GsBoard    *b;
	Relation	rel;
	ScanTarget	t;
	KeyArray	keys;
	Tuplestorestate *out;
	int			seg;

	get_key_array(fcinfo, 1, &keys);
	rel = open_board(fcinfo, "ranks", &b);
	out = srf_init(fcinfo, rel);
	if (gs_board_live(b))
	{
		LiveRead	L;
		Datum		segment;

		if (segment_arg(b, rel, fcinfo, 2, &segment))
		{
			live_open(&L, rel, b, segment);
			live_ranks(&L, out, &keys);
			live_close(&L);
		}
		relation_close(rel, NoLock);
		return (Datum) 0;
	}
	scan_open(&t, rel, b->index[GS_INDEX_PLAYER]);
	seg = scan_add_segment(&t, b, fcinfo, 2);
	emit_by_keys(&t, seg, &keys, out);
	scan_close(&t);
	relation_close(rel, NoLock);
	return (Datum) 0;
}

/*
 * Size of the board, or of the segment of argument "segarg", as of its
 * last refresh; 0 for a segment text that is no value of the column's type.
 */
static int64
board_rows(GsBoard *b, Relation rel, FunctionCallInfo fcinfo, int segarg)
{
	Datum		segment;

	if (!segment_arg(b, rel, fcinfo, segarg, &segment))
		return 0;
	return gs_board_rows(b, segment);
}

/*
 * gamestats.board_size(board anyelement, segment text DEFAULT NULL)
 * RETURNS bigint
 *
 * Players on the board (in the segment) as of its last refresh; O(1).
 */
PG_FUNCTION_INFO_V1(gamestats_board_size);
Datum
gamestats_board_size(PG_FUNCTION_ARGS)
{
	GsBoard    *b;
	Relation	rel = open_board(fcinfo, "board_size", &b);
	int64		rows;

	if (gs_board_live(b))
	{
		LiveRead	L;
		Datum		segment;

		rows = 0;
		if (segment_arg(b, rel, fcinfo, 1, &segment))
		{
			live_open(&L, rel, b, segment);
			rows = live_size(&L);
			live_close(&L);
		}
	}
	else
		rows = board_rows(b, rel, fcinfo, 1);

	relation_close(rel, NoLock);
	PG_RETURN_INT64(rows);
}

/*
 * gamestats.rank_for_score(board anyelement, score anycompatible, segment
 *                          text DEFAULT NULL) RETURNS bigint
 *
 * The rank a player with this score would get: 1 + the number of players
 * with a better score ('competition' and 'ordinal'), or 1 + the number of
 * better distinct ranks ('dense').  A binary search over the rank index:
 * O(log^2 n) page reads, whatever the rank.  Locks: ACCESS SHARE on the
 * board and its rank index.
 */
PG_FUNCTION_INFO_V1(gamestats_rank_for_score);
Datum
gamestats_rank_for_score(PG_FUNCTION_ARGS)
{
	GsBoard    *b;
	Relation	rel;
	ScanTarget	t;
	Oid			scoretype;
	Oid			argtype;
	Oid			cmptype;
	Oid			collation;
	Datum		score;
	Datum		rowscore;
	TypeCacheEntry *tce;
	int			seg;
	int64		lo,
				hi,
				maxrank,
				result;
	bool		isnull;

	if (PG_ARGISNULL(1))
		PG_RETURN_NULL();
	rel = open_board(fcinfo, "rank_for_score", &b);
	scoretype = TupleDescAttr(RelationGetDescr(rel), b->attno[GS_COL_SCORE] - 1)->atttypid;
	collation = TupleDescAttr(RelationGetDescr(rel), b->attno[GS_COL_SCORE] - 1)->attcollation;
	argtype = get_fn_expr_argtype(fcinfo->flinfo, 1);
	score = PG_GETARG_DATUM(1);

	/*
	 * Compare in the wider of the two types, as SQL would: cast the argument
	 * to the column's type if that is implicit (int -> bigint column), else
	 * each probed score to the argument's type (int column, numeric score).
	 */
	cmptype = scoretype;
	if (argtype != scoretype)
	{
		Oid			funcid;

		if (find_coercion_pathway(scoretype, argtype, COERCION_IMPLICIT, &funcid) != COERCION_PATH_NONE)
			score = gs_coerce_value(score, argtype, scoretype, "score");
		else if (find_coercion_pathway(argtype, scoretype, COERCION_IMPLICIT, &funcid) != COERCION_PATH_NONE)
			cmptype = argtype;
		else					/* text read as a score, or the error */
			score = gs_coerce_value(score, argtype, scoretype, "score");
	}
	tce = lookup_type_cache(cmptype, TYPECACHE_CMP_PROC_FINFO);
	if (!OidIsValid(tce->cmp_proc_finfo.fn_oid))
		elog(ERROR, "no comparison function for type %s", format_type_be(cmptype));

	/* NaN scores are not ranked (like NULL ones): no rank for NaN either */
	if (gs_score_is_nan(cmptype, score))
	{
		relation_close(rel, NoLock);
		PG_RETURN_NULL();
	}

	if (gs_board_live(b))
	{
		LiveRead	L;
		Datum		segment;
		LiveKey		k;

		result = 1;
		if (segment_arg(b, rel, fcinfo, 2, &segment))
		{
			live_open(&L, rel, b, segment);
			k.score = cmptype == scoretype ? score :
				gs_coerce_value(PG_GETARG_DATUM(1), argtype, scoretype, "score");
			k.tiebreak = k.player = (Datum) 0;
			result = 1 + live_count(&L, &k, LIVE_CMP_SCORE);
			live_close(&L);
		}
		relation_close(rel, NoLock);
		PG_RETURN_INT64(result);
	}
	scan_open(&t, rel, b->index[GS_INDEX_RANK]);
	seg = scan_add_segment(&t, b, fcinfo, 2);

	/* highest rank value on the board: the last row in rank order */
	scan_rescan(&t);
	if (!scan_next(&t, BackwardScanDirection))
	{
		scan_close(&t);
		relation_close(rel, NoLock);
		PG_RETURN_INT64(1);
	}
	maxrank = DatumGetInt64(slot_getattr(t.slot, b->attno[GS_COL_RANK], &isnull));
	hi = maxrank + 1;

	/*
	 * Smallest rank value k such that the first row with rank >= k does not
	 * beat "score"; rows are in score order, so that is monotone in k.
	 */
	lo = 1;
	while (lo < hi)
	{
		int64		mid = lo + (hi - lo) / 2;
		int			cmp;

		t.nkeys = seg;
		scan_add_key(&t, seg, BTGreaterEqualStrategyNumber, Int64GetDatum(mid), INT8OID);
		scan_rescan(&t);
		if (!scan_next(&t, ForwardScanDirection))
		{
			hi = mid;
			continue;
		}
		rowscore = slot_getattr(t.slot, b->attno[GS_COL_SCORE], &isnull);
		if (cmptype != scoretype)
			rowscore = gs_coerce_value(rowscore, scoretype, cmptype, "score");
		cmp = DatumGetInt32(FunctionCall2Coll(&tce->cmp_proc_finfo, collation,
											  rowscore, score));
		if (b->descending ? cmp > 0 : cmp < 0)
			lo = mid + 1;		/* that row beats the score */
		else
			hi = mid;
	}
	/* the first row from rank lo on is the first that does not beat it */
	t.nkeys = seg;
	scan_add_key(&t, seg, BTGreaterEqualStrategyNumber, Int64GetDatum(lo), INT8OID);
	scan_rescan(&t);
	result = scan_next(&t, ForwardScanDirection) ?
		DatumGetInt64(slot_getattr(t.slot, b->attno[GS_COL_RANK], &isnull)) : -1;
	scan_close(&t);

	if (result < 0)
	{
		/* worse than everyone: after the last rank, or after every player */
		if (b->rank_type == GS_RANK_DENSE)
			result = maxrank + 1;
		else
			result = board_rows(b, rel, fcinfo, 2) + 1;
	}
	relation_close(rel, NoLock);
	PG_RETURN_INT64(result);
}

/*
 * gamestats.lookup(rel anyelement, keys anycompatiblearray, key_index
 *                  regclass DEFAULT NULL) RETURNS SETOF anyelement
 *
 * Rows of any table by its primary key (or the single-column unique index
 * "key_index"), in input order: a repeated key each time, missing and NULL
 * keys skipped.  Locks: ACCESS SHARE on the table and the index.
 */
PG_FUNCTION_INFO_V1(gamestats_lookup);
Datum
gamestats_lookup(PG_FUNCTION_ARGS)
{
	Relation	rel;
	ScanTarget	t;
	KeyArray	keys;
	Tuplestorestate *out;
	Oid			relid;
	Oid			indexoid;
	HeapTuple	idxtup;
	Form_pg_index idx;
	bool		usable;

	get_key_array(fcinfo, 1, &keys);
	relid = gs_rowtype_relid(fcinfo, 0, "lookup");
	rel = open_for_read(relid);
	if (rel->rd_rel->relkind != RELKIND_RELATION &&
		rel->rd_rel->relkind != RELKIND_MATVIEW)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("cannot look up rows of \"%s\": it is not a table or materialized view",
						RelationGetRelationName(rel)),
				 rel->rd_rel->relkind == RELKIND_PARTITIONED_TABLE ?
				 errhint("Look up rows of a partitioned table with SELECT.") :
				 errhint("Pass the row type of a table with a primary key.")));

	if (PG_NARGS() > 2 && !PG_ARGISNULL(2))
	{
		indexoid = PG_GETARG_OID(2);
		if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(indexoid)))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("index with OID %u does not exist", indexoid),
					 errhint("Name a unique index of the table, or leave key_index null to use its primary key.")));
		if (get_rel_relkind(indexoid) != RELKIND_INDEX ||
			IndexGetRelation(indexoid, true) != relid)
			ereport(ERROR,
					(errcode(ERRCODE_WRONG_OBJECT_TYPE),
					 errmsg("\"%s\" is not an index of table \"%s\"",
							get_rel_name(indexoid), RelationGetRelationName(rel)),
					 errhint("Name a unique index of the table, or leave key_index null to use its primary key.")));
	}
	else
	{
		indexoid = gs_primary_key_index(rel);
		if (!OidIsValid(indexoid))
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("table \"%s\" has no primary key", RelationGetRelationName(rel)),
					 errhint("Add a primary key, or pass a unique index as key_index.")));
	}

	idxtup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(indexoid));
	if (!HeapTupleIsValid(idxtup))
		elog(ERROR, "cache lookup failed for index %u", indexoid);
	idx = (Form_pg_index) GETSTRUCT(idxtup);
	usable = idx->indisunique && idx->indisvalid && idx->indnkeyatts == 1 &&
		idx->indkey.values[0] != 0 &&
		heap_attisnull(idxtup, Anum_pg_index_indpred, NULL) &&
		gs_rel_class(indexoid).relam == BTREE_AM_OID;
	ReleaseSysCache(idxtup);
	if (!usable)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("index \"%s\" cannot be used by gamestats.lookup()", get_rel_name(indexoid)),
				 errdetail("lookup() needs a valid unique btree index on one plain column, without a predicate."),
				 errhint("Create such an index and pass it as key_index.")));

	out = srf_init(fcinfo, rel);
	scan_open(&t, rel, indexoid);
	emit_by_keys(&t, 0, &keys, out);
	scan_close(&t);
	relation_close(rel, NoLock);
	return (Datum) 0;
}
