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
 * Board metadata (column positions, rank type, which index is which) is
 * kept in a backend-local cache keyed by the board's OID and dropped on any
 * relcache invalidation of the board.
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
#include "catalog/pg_collation.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "parser/parse_coerce.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
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

typedef enum RankType
{
	RANK_COMPETITION,
	RANK_DENSE,
	RANK_ORDINAL
} RankType;

/* What the query functions need to know about one board. */
typedef struct BoardInfo
{
	Oid			board;			/* hash key */
	bool		valid;
	AttrNumber	rank_attno;
	AttrNumber	player_attno;
	AttrNumber	score_attno;
	AttrNumber	segment_attno;	/* InvalidAttrNumber: not segmented */
	Oid			segment_type;
	bool		descending;
	RankType	rank_type;
	Oid			player_index;	/* ([segment,] player) */
	Oid			rank_index;		/* ([segment,] rank, player) */
} BoardInfo;

static HTAB *board_cache = NULL;

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

static void
board_cache_invalidate(Datum arg, Oid relid)
{
	HASH_SEQ_STATUS status;
	BoardInfo  *entry;

	if (board_cache == NULL)
		return;
	if (OidIsValid(relid))
	{
		entry = hash_search(board_cache, &relid, HASH_FIND, NULL);
		if (entry)
			entry->valid = false;
		return;
	}
	hash_seq_init(&status, board_cache);
	while ((entry = hash_seq_search(&status)) != NULL)
		entry->valid = false;
}

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
				 errhint("Pass the relation's row type as a typed NULL, e.g. gamestats.%s(NULL::my_board, ...).",
						 fname)));
	return relid;
}

/* Finds the config column "name" of leaderboard_config. */
static AttrNumber
config_attno(TupleDesc desc, const char *name)
{
	int			i;

	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (!att->attisdropped && strcmp(NameStr(att->attname), name) == 0)
			return att->attnum;
	}
	elog(ERROR, "column \"%s\" is missing from gamestats.leaderboard_config", name);
	return InvalidAttrNumber;	/* keep compiler quiet */
}

static AttrNumber
board_column(Oid board, HeapTuple conftup, TupleDesc confdesc, const char *confcol,
			 bool missing_ok)
{
	bool		isnull;
	Datum		d = heap_getattr(conftup, config_attno(confdesc, confcol), confdesc, &isnull);
	AttrNumber	attno;

	if (isnull)
	{
		if (!missing_ok)
			elog(ERROR, "leaderboard %u has no %s", board, confcol);
		return InvalidAttrNumber;
	}
	attno = get_attnum(board, NameStr(*DatumGetName(d)));
	if (attno == InvalidAttrNumber)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("leaderboard \"%s\" has no column \"%s\"",
						get_rel_name(board), NameStr(*DatumGetName(d))),
				 errdetail("Its %s is \"%s\" in gamestats.leaderboard_config: the column was renamed or dropped since the board was created.",
						   confcol, NameStr(*DatumGetName(d))),
				 errhint("Rename the column back with ALTER MATERIALIZED VIEW %s RENAME COLUMN ... TO %s.",
						 gs_qualified_name(board), quote_identifier(NameStr(*DatumGetName(d))))));
	return attno;
}

/* Access method of a relation. */
static Oid
relation_am(Oid relid)
{
	HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	Oid			am;

	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	am = ((Form_pg_class) GETSTRUCT(tup))->relam;
	ReleaseSysCache(tup);
	return am;
}

/*
 * True if index "indexoid" of "rel" is a plain valid btree whose key columns
 * are exactly "attnos" (nattnos of them), in that order, each ascending with
 * NULLS LAST, the default btree operator class of its type and the column's
 * collation -- the order and equality the query functions rely on -- and,
 * if "unique", a unique index.
 */
static bool
index_has_keys(Relation rel, Oid indexoid, const AttrNumber *attnos, int nattnos,
			   bool unique)
{
	HeapTuple	tup;
	Form_pg_index idx;
	bool		match = false;

	tup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(indexoid));
	if (!HeapTupleIsValid(tup))
		return false;
	idx = (Form_pg_index) GETSTRUCT(tup);
	if (idx->indisvalid && idx->indnkeyatts == nattnos &&
		(idx->indisunique || !unique) &&
		heap_attisnull(tup, Anum_pg_index_indexprs, NULL) &&
		heap_attisnull(tup, Anum_pg_index_indpred, NULL) &&
		relation_am(indexoid) == BTREE_AM_OID)
	{
		bool		isnull;
		oidvector  *indclass;
		oidvector  *indcollation;
		int2vector *indoption;
		int			i;

		indclass = (oidvector *) DatumGetPointer(SysCacheGetAttr(INDEXRELID, tup,
																 Anum_pg_index_indclass, &isnull));
		indcollation = (oidvector *) DatumGetPointer(SysCacheGetAttr(INDEXRELID, tup,
																	 Anum_pg_index_indcollation, &isnull));
		indoption = (int2vector *) DatumGetPointer(SysCacheGetAttr(INDEXRELID, tup,
																   Anum_pg_index_indoption, &isnull));
		match = true;
		for (i = 0; i < nattnos && match; i++)
		{
			Form_pg_attribute att;

			if (idx->indkey.values[i] != attnos[i] || attnos[i] <= 0)
			{
				match = false;
				break;
			}
			att = TupleDescAttr(RelationGetDescr(rel), attnos[i] - 1);
			/* NULLS FIRST is harmless: these columns hold no NULLs */
			if ((indoption->values[i] & INDOPTION_DESC) != 0 ||
				indclass->values[i] != GetDefaultOpClass(att->atttypid, BTREE_AM_OID) ||
				indcollation->values[i] != att->attcollation)
				match = false;
		}
	}
	ReleaseSysCache(tup);
	return match;
}

static void
not_a_board(Oid relid)
{
	ereport(ERROR,
			(errcode(ERRCODE_WRONG_OBJECT_TYPE),
			 errmsg("\"%s\" is not a leaderboard", get_rel_name(relid)),
			 errhint("Create leaderboards with gamestats.create_leaderboard(); use gamestats.lookup() for other tables.")));
}

/* Fills "info" for board "relid" (open as "rel") from the config table. */
static void
load_board_info(BoardInfo *info, Relation rel)
{
	Oid			relid = RelationGetRelid(rel);
	Relation	conf;
	SysScanDesc scan;
	ScanKeyData key;
	HeapTuple	tup;
	TupleDesc	desc;
	bool		isnull;
	char	   *rank_type;
	AttrNumber	keys[3];
	int			nseg;
	List	   *indexes;
	ListCell   *lc;

	if (rel->rd_rel->relkind != RELKIND_MATVIEW)
		not_a_board(relid);

	conf = table_open(gs_catalog_relid("leaderboard_config"), AccessShareLock);
	desc = RelationGetDescr(conf);
	ScanKeyInit(&key, config_attno(desc, "board"), BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(relid));
	scan = systable_beginscan(conf, InvalidOid, false, NULL, 1, &key);
	tup = systable_getnext(scan);
	if (!HeapTupleIsValid(tup))
		not_a_board(relid);

	info->rank_attno = get_attnum(relid, "rank");
	info->player_attno = board_column(relid, tup, desc, "player_column", false);
	info->score_attno = board_column(relid, tup, desc, "score_column", false);
	info->segment_attno = board_column(relid, tup, desc, "segment_column", true);
	info->segment_type = info->segment_attno != InvalidAttrNumber ?
		get_atttype(relid, info->segment_attno) : InvalidOid;
	info->descending = DatumGetBool(heap_getattr(tup, config_attno(desc, "descending"),
												 desc, &isnull));
	rank_type = TextDatumGetCString(heap_getattr(tup, config_attno(desc, "rank_type"),
												 desc, &isnull));
	if (strcmp(rank_type, "dense") == 0)
		info->rank_type = RANK_DENSE;
	else if (strcmp(rank_type, "ordinal") == 0)
		info->rank_type = RANK_ORDINAL;
	else
		info->rank_type = RANK_COMPETITION;
	systable_endscan(scan);
	table_close(conf, NoLock);

	if (info->rank_attno == InvalidAttrNumber)
		not_a_board(relid);

	/* find the player and rank indexes by their key columns */
	nseg = 0;
	if (info->segment_attno != InvalidAttrNumber)
		keys[nseg++] = info->segment_attno;
	info->player_index = InvalidOid;
	info->rank_index = InvalidOid;
	indexes = RelationGetIndexList(rel);
	foreach(lc, indexes)
	{
		Oid			indexoid = lfirst_oid(lc);

		keys[nseg] = info->player_attno;
		if (!OidIsValid(info->player_index) &&
			index_has_keys(rel, indexoid, keys, nseg + 1, true))
			info->player_index = indexoid;
		keys[nseg] = info->rank_attno;
		keys[nseg + 1] = info->player_attno;
		if (!OidIsValid(info->rank_index) &&
			index_has_keys(rel, indexoid, keys, nseg + 2, false))
			info->rank_index = indexoid;
	}
	list_free(indexes);
	if (!OidIsValid(info->player_index) || !OidIsValid(info->rank_index))
	{
		const char *seg = info->segment_attno != InvalidAttrNumber ?
			psprintf("%s, ", quote_identifier(get_attname(relid, info->segment_attno, false))) : "";
		const char *player = quote_identifier(get_attname(relid, info->player_attno, false));

		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 !OidIsValid(info->player_index) ?
				 errmsg("leaderboard \"%s\" is missing its player index", RelationGetRelationName(rel)) :
				 errmsg("leaderboard \"%s\" is missing its rank index", RelationGetRelationName(rel)),
				 !OidIsValid(info->player_index) ?
				 errdetail("The query functions need a valid unique btree index on (%s%s), ascending, with the default operator classes and the columns' collations.",
						   seg, player) :
				 errdetail("The query functions need a valid btree index on (%srank, %s), ascending, with the default operator classes and the columns' collations.",
						   seg, player),
				 !OidIsValid(info->player_index) ?
				 errhint("Create it with CREATE UNIQUE INDEX ON %s (%s%s), or recreate the leaderboard.",
						 gs_qualified_name(relid), seg, player) :
				 errhint("Create it with CREATE INDEX ON %s (%srank, %s), or recreate the leaderboard.",
						 gs_qualified_name(relid), seg, player)));
	}
}

static BoardInfo *
board_info(Relation rel)
{
	Oid			relid = RelationGetRelid(rel);
	BoardInfo  *info;
	bool		found;

	if (board_cache == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(BoardInfo);
		board_cache = hash_create("pg_gamestats boards", 16, &ctl,
								  HASH_ELEM | HASH_BLOBS);
		CacheRegisterRelcacheCallback(board_cache_invalidate, (Datum) 0);
	}
	info = hash_search(board_cache, &relid, HASH_ENTER, &found);
	if (!found)
		info->valid = false;
	while (!info->valid)
	{
		/* an invalidation that arrives during the load clears it again */
		info->valid = true;
		PG_TRY();
		{
			load_board_info(info, rel);
		}
		PG_CATCH();
		{
			hash_search(board_cache, &relid, HASH_REMOVE, NULL);
			PG_RE_THROW();
		}
		PG_END_TRY();
	}
	return info;
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

#ifndef GS_HAVE_SOFT_INPUT
/* OidInputFunctionCall() as a gs_run_in_subxact() callback */
typedef struct InputCall
{
	Oid			infunc;
	Oid			ioparam;
	char	   *str;
	Datum		result;
} InputCall;

static void
input_call(void *arg)
{
	InputCall  *call = (InputCall *) arg;

	call->result = OidInputFunctionCall(call->infunc, call->str, call->ioparam, -1);
}
#endif

/*
 * Reads "str" as a value of "type" through its input function; returns
 * false, instead of raising the error, when it is not valid input for the
 * type (no segment can have such a value).
 */
static bool
read_value(Oid type, char *str, Datum *result)
{
	Oid			infunc,
				ioparam;

	getTypeInputInfo(type, &infunc, &ioparam);
#ifdef GS_HAVE_SOFT_INPUT
	{
		ErrorSaveContext escontext = {T_ErrorSaveContext};
		FmgrInfo	flinfo;

		fmgr_info(infunc, &flinfo);
		return InputFunctionCallSafe(&flinfo, str, ioparam, -1,
									 (Node *) &escontext, result);
	}
#else
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
		/* input functions of PostgreSQL 15 have no soft errors */
		InputCall	call = {infunc, ioparam, str, (Datum) 0};
		ErrorData  *edata = gs_run_in_subxact(input_call, &call);

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
#endif
}

/*
 * The segment argument "argno" converted to the board's segment column type
 * (through that type's input function, as a quoted literal would be) into
 * *segment, or (Datum) 0 for an unsegmented board.  Returns false when the
 * text is not a value of that type: no row is in such a segment.  Errors out
 * when a segmented board gets no segment or an unsegmented one gets one.
 */
static bool
segment_arg(BoardInfo *info, Relation rel, FunctionCallInfo fcinfo, int argno,
			Datum *segment)
{
	bool		given = PG_NARGS() > argno && !PG_ARGISNULL(argno);

	*segment = (Datum) 0;
	if (info->segment_attno == InvalidAttrNumber)
	{
		if (given)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("leaderboard \"%s\" has no segments",
							RelationGetRelationName(rel)),
					 errhint("Leave the segment argument NULL for this board.")));
		return true;
	}
	if (!given)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("leaderboard \"%s\" is segmented: a segment is required",
						RelationGetRelationName(rel)),
				 errhint("Pass segment => '...', one of the values of its column \"%s\".",
						 get_attname(RelationGetRelid(rel), info->segment_attno, false))));
	if (info->segment_type == TEXTOID)
	{
		*segment = PG_GETARG_DATUM(argno);
		return true;
	}
	return read_value(info->segment_type, TextDatumGetCString(PG_GETARG_DATUM(argno)),
					  segment);
}

/*
 * Adds the segment key (index column 0) of a segmented board.  Returns the
 * number of index columns the segment takes (0 or 1).  A segment that is no
 * value of the column's type makes the scan empty.
 */
static int
scan_add_segment(ScanTarget *t, BoardInfo *info, FunctionCallInfo fcinfo, int argno)
{
	Datum		segment;

	if (!segment_arg(info, t->heap, fcinfo, argno, &segment))
		t->empty = true;
	if (info->segment_attno == InvalidAttrNumber)
		return 0;
	if (t->empty)
	{
		/* a placeholder key: the scan never runs */
		ScanKeyEntryInitialize(&t->keys[t->nkeys], SK_ISNULL, 1, BTEqualStrategyNumber,
							   InvalidOid, InvalidOid, InvalidOid, (Datum) 0);
		t->nkeys++;
		return 1;
	}
	scan_add_eq_key(t, 0, segment, info->segment_type, "segment");
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
	ReturnSetInfo *rsinfo;
	TupleDesc	expected;
	TupleDesc	actual = RelationGetDescr(rel);
	int			i;

	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	expected = rsinfo->setDesc;
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
	return rsinfo->setResult;
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
open_board(FunctionCallInfo fcinfo, const char *fname, BoardInfo **info)
{
	Relation	rel = open_for_read(rowtype_relid(fcinfo, 0, fname));

	*info = board_info(rel);
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
	BoardInfo  *info;
	Relation	rel;
	ScanTarget	t;
	Tuplestorestate *out;
	int32		n;
	int64		from_rank;
	int			seg;
	int			i;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("n and from_rank must not be NULL")));
	check_nonnegative(fcinfo, 1, "n");
	n = PG_GETARG_INT32(1);
	from_rank = PG_GETARG_INT64(2);
	if (from_rank < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("from_rank must be at least 1"),
				 errhint("Ranks start at 1.")));
	if (n > gamestats_max_batch)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%d rows exceed the batch limit of %d", n, gamestats_max_batch),
				 errhint("Page through the board with from_rank, or raise gamestats.max_batch.")));

	rel = open_board(fcinfo, "top", &info);
	out = srf_init(fcinfo, rel);
	scan_open(&t, rel, info->rank_index);
	seg = scan_add_segment(&t, info, fcinfo, 3);
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
	BoardInfo  *info;
	Relation	rel;
	ScanTarget	p,
				r;
	Tuplestorestate *out;
	int			seg;
	Datum		player,
				rank;
	bool		isnull;

	if (PG_ARGISNULL(2) || PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("before and after must not be NULL")));
	check_nonnegative(fcinfo, 2, "before");
	check_nonnegative(fcinfo, 3, "after");
	if ((int64) PG_GETARG_INT32(2) + PG_GETARG_INT32(3) >= gamestats_max_batch)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("before + after exceed the batch limit of %d", gamestats_max_batch),
				 errhint("Ask for fewer neighbours, or raise gamestats.max_batch.")));

	rel = open_board(fcinfo, "around", &info);
	out = srf_init(fcinfo, rel);
	if (PG_ARGISNULL(1))
	{
		relation_close(rel, NoLock);
		return (Datum) 0;
	}

	/* the player's own row */
	scan_open(&p, rel, info->player_index);
	seg = scan_add_segment(&p, info, fcinfo, 4);
	scan_add_eq_key(&p, seg, PG_GETARG_DATUM(1), get_fn_expr_argtype(fcinfo->flinfo, 1),
					"player");
	scan_rescan(&p);
	if (!scan_next(&p, ForwardScanDirection))
	{
		scan_close(&p);
		relation_close(rel, NoLock);
		return (Datum) 0;
	}
	rank = slot_getattr(p.slot, info->rank_attno, &isnull);
	player = slot_getattr(p.slot, info->player_attno, &isnull);

	scan_open(&r, rel, info->rank_index);
	seg = scan_add_segment(&r, info, fcinfo, 4);
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
	BoardInfo  *info;
	Relation	rel;
	ScanTarget	t;
	KeyArray	keys;
	Tuplestorestate *out;
	int			seg;

	get_key_array(fcinfo, 1, &keys);
	rel = open_board(fcinfo, "ranks", &info);
	out = srf_init(fcinfo, rel);
	scan_open(&t, rel, info->player_index);
	seg = scan_add_segment(&t, info, fcinfo, 2);
	emit_by_keys(&t, seg, &keys, out);
	scan_close(&t);
	relation_close(rel, NoLock);
	return (Datum) 0;
}

/* Does the text form of this type's values depend on session settings? */
static bool
output_depends_on_settings(Oid type)
{
	switch (type)
	{
		case TEXTOID:
		case VARCHAROID:
		case BPCHAROID:
		case NAMEOID:
		case CHAROID:
		case INT2OID:
		case INT4OID:
		case INT8OID:
		case OIDOID:
		case BOOLOID:
		case UUIDOID:
			return false;
		default:
			return !type_is_enum(type);
	}
}

/*
 * "value::text" as SQL casts it under the fixed settings of
 * gs_begin_canonical_output(): the form the refresh stores segments in.
 */
static Datum
segment_as_text(Datum value, Oid type)
{
	Oid			funcid;
	Oid			outfunc;
	bool		isvarlena;
	int			nestlevel = -1;
	Datum		result;

	if (output_depends_on_settings(type))
		nestlevel = gs_begin_canonical_output();
	switch (find_coercion_pathway(TEXTOID, type, COERCION_EXPLICIT, &funcid))
	{
		case COERCION_PATH_RELABELTYPE:
			result = value;
			break;
		case COERCION_PATH_FUNC:
			result = OidFunctionCall1(funcid, value);
			break;
		default:
			getTypeOutputInfo(type, &outfunc, &isvarlena);
			result = CStringGetTextDatum(OidOutputFunctionCall(outfunc, value));
			break;
	}
	if (nestlevel >= 0)
		AtEOXact_GUC(false, nestlevel);
	return result;
}

/*
 * The snapshot to read a board's sizes with, so that they describe the rows
 * this statement reads: a 'concurrently' refresh changes the rows in place,
 * under MVCC, so its sizes are read with the statement's snapshot; every
 * other refresh writes new storage whose rows every snapshot sees, and no
 * later one can commit while we hold the board, so its sizes are the latest
 * committed ones (NULL: a fresh catalog snapshot).
 */
static Snapshot
sizes_snapshot(Oid relid)
{
	Relation	conf = table_open(gs_catalog_relid("leaderboard_config"), AccessShareLock);
	TupleDesc	desc = RelationGetDescr(conf);
	SysScanDesc scan;
	ScanKeyData key;
	HeapTuple	tup;
	bool		concurrently = false;

	ScanKeyInit(&key, config_attno(desc, "board"), BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(relid));
	scan = systable_beginscan(conf, gs_primary_key_index(conf), true, NULL, 1, &key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
	{
		bool		isnull;
		Datum		d = heap_getattr(tup, config_attno(desc, "last_strategy"), desc, &isnull);

		concurrently = !isnull && strcmp(TextDatumGetCString(d), "concurrently") == 0;
	}
	systable_endscan(scan);
	table_close(conf, NoLock);
	return concurrently ? GetActiveSnapshot() : NULL;
}

/* The "rows" column of a tuple of leaderboard_config or leaderboard_segment */
static int64
rows_of(HeapTuple tup, TupleDesc desc)
{
	bool		isnull;
	Datum		d = heap_getattr(tup, config_attno(desc, "rows"), desc, &isnull);

	return isnull ? 0 : DatumGetInt64(d);
}

/*
 * Size of a board or of one of its segments as of its last refresh, from the
 * bookkeeping the refresh writes in the same transaction as the board.
 * Segments are found by their stored text, and when that misses (a value
 * equal to a segment but written otherwise, '1.0' for a segment 1.00) by
 * comparing each segment of the board as a value of the column's type.
 */
static int64
board_rows(BoardInfo *info, Relation rel, FunctionCallInfo fcinfo, int segarg)
{
	Oid			relid = RelationGetRelid(rel);
	bool		segmented = info->segment_attno != InvalidAttrNumber;
	Datum		segment;
	Snapshot	snapshot;
	Relation	conf;
	SysScanDesc scan;
	ScanKeyData key[2];
	HeapTuple	tup;
	TupleDesc	desc;
	int64		rows = 0;
	bool		found = false;

	if (!segment_arg(info, rel, fcinfo, segarg, &segment))
		return 0;
	snapshot = sizes_snapshot(relid);

	conf = table_open(gs_catalog_relid(segmented ? "leaderboard_segment" : "leaderboard_config"),
					  AccessShareLock);
	desc = RelationGetDescr(conf);
	ScanKeyInit(&key[0], config_attno(desc, "board"), BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(relid));
	if (segmented)
	{
		/* segments are kept as "segment::text", in the default collation */
		ScanKeyInit(&key[1], config_attno(desc, "segment"), BTEqualStrategyNumber,
					F_TEXTEQ, segment_as_text(segment, info->segment_type));
		key[1].sk_collation = DEFAULT_COLLATION_OID;
	}
	scan = systable_beginscan(conf, gs_primary_key_index(conf), true, snapshot,
							  segmented ? 2 : 1, key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
	{
		rows = rows_of(tup, desc);
		found = true;
	}
	systable_endscan(scan);

	if (segmented && !found)
	{
		Oid			collation = TupleDescAttr(RelationGetDescr(rel),
											  info->segment_attno - 1)->attcollation;
		TypeCacheEntry *tce = lookup_type_cache(info->segment_type, TYPECACHE_CMP_PROC_FINFO);
		int			nestlevel;

		if (!OidIsValid(tce->cmp_proc_finfo.fn_oid))
			elog(ERROR, "no comparison function for type %s",
				 format_type_be(info->segment_type));
		nestlevel = gs_begin_canonical_output();
		scan = systable_beginscan(conf, gs_primary_key_index(conf), true, snapshot,
								  1, key);
		while (HeapTupleIsValid(tup = systable_getnext(scan)))
		{
			bool		isnull;
			Datum		stored = heap_getattr(tup, config_attno(desc, "segment"), desc, &isnull);
			Datum		value;

			if (isnull ||
				!read_value(info->segment_type, TextDatumGetCString(stored), &value))
				continue;
			if (DatumGetInt32(FunctionCall2Coll(&tce->cmp_proc_finfo, collation,
												value, segment)) == 0)
			{
				rows = rows_of(tup, desc);
				break;
			}
		}
		systable_endscan(scan);
		AtEOXact_GUC(false, nestlevel);
	}
	table_close(conf, NoLock);
	return rows;
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
	BoardInfo  *info;
	Relation	rel = open_board(fcinfo, "board_size", &info);
	int64		rows = board_rows(info, rel, fcinfo, 1);

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
	BoardInfo  *info;
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
	rel = open_board(fcinfo, "rank_for_score", &info);
	scoretype = TupleDescAttr(RelationGetDescr(rel), info->score_attno - 1)->atttypid;
	collation = TupleDescAttr(RelationGetDescr(rel), info->score_attno - 1)->attcollation;
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

	scan_open(&t, rel, info->rank_index);
	seg = scan_add_segment(&t, info, fcinfo, 2);

	/* highest rank value on the board: the last row in rank order */
	scan_rescan(&t);
	if (!scan_next(&t, BackwardScanDirection))
	{
		scan_close(&t);
		relation_close(rel, NoLock);
		PG_RETURN_INT64(1);
	}
	maxrank = DatumGetInt64(slot_getattr(t.slot, info->rank_attno, &isnull));
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
		rowscore = slot_getattr(t.slot, info->score_attno, &isnull);
		if (cmptype != scoretype)
			rowscore = coerce_value(rowscore, scoretype, cmptype, "score");
		cmp = DatumGetInt32(FunctionCall2Coll(&tce->cmp_proc_finfo, collation,
											  rowscore, score));
		if (info->descending ? cmp > 0 : cmp < 0)
			lo = mid + 1;		/* that row beats the score */
		else
			hi = mid;
	}
	/* the first row from rank lo on is the first that does not beat it */
	t.nkeys = seg;
	scan_add_key(&t, seg, BTGreaterEqualStrategyNumber, Int64GetDatum(lo), INT8OID);
	scan_rescan(&t);
	result = scan_next(&t, ForwardScanDirection) ?
		DatumGetInt64(slot_getattr(t.slot, info->rank_attno, &isnull)) : -1;
	scan_close(&t);

	if (result < 0)
	{
		/* worse than everyone: after the last rank, or after every player */
		if (info->rank_type == RANK_DENSE)
			result = maxrank + 1;
		else
			result = board_rows(info, rel, fcinfo, 2) + 1;
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
					 errhint("Name a unique index of the table, or leave key_index NULL to use its primary key.")));
		if (get_rel_relkind(indexoid) != RELKIND_INDEX ||
			IndexGetRelation(indexoid, true) != relid)
			ereport(ERROR,
					(errcode(ERRCODE_WRONG_OBJECT_TYPE),
					 errmsg("\"%s\" is not an index of table \"%s\"",
							get_rel_name(indexoid), RelationGetRelationName(rel)),
					 errhint("Name a unique index of the table, or leave key_index NULL to use its primary key.")));
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
		relation_am(indexoid) == BTREE_AM_OID;
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
