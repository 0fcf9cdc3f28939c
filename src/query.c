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
#include "executor/tuptable.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "parser/parse_coerce.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
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
static Oid
rowtype_relid(FunctionCallInfo fcinfo, int argno, const char *fname)
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
static Datum
coerce_value(Datum value, Oid srctype, Oid target, const char *what)
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
		value = coerce_value(value, valtype, coltype, what);
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
	Relation	rel = open_for_read(rowtype_relid(fcinfo, 0, fname));

	*b = gs_board_open(rel);
	return rel;
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
	int64		rows = board_rows(b, rel, fcinfo, 1);

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
			score = coerce_value(score, argtype, scoretype, "score");
		else if (find_coercion_pathway(argtype, scoretype, COERCION_IMPLICIT, &funcid) != COERCION_PATH_NONE)
			cmptype = argtype;
		else					/* text read as a score, or the error */
			score = coerce_value(score, argtype, scoretype, "score");
	}
	tce = lookup_type_cache(cmptype, TYPECACHE_CMP_PROC_FINFO);
	if (!OidIsValid(tce->cmp_proc_finfo.fn_oid))
		elog(ERROR, "no comparison function for type %s", format_type_be(cmptype));

	/* NaN scores are not ranked (like NULL ones): no rank for NaN either */
	if ((cmptype == FLOAT8OID && isnan(DatumGetFloat8(score))) ||
		(cmptype == FLOAT4OID && isnan(DatumGetFloat4(score))) ||
		(cmptype == NUMERICOID && numeric_is_nan(DatumGetNumeric(score))))
	{
		relation_close(rel, NoLock);
		PG_RETURN_NULL();
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
			rowscore = coerce_value(rowscore, scoretype, cmptype, "score");
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
	relid = rowtype_relid(fcinfo, 0, "lookup");
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
